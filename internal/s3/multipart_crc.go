package s3

// Combining CRCs lets CompleteMultipartUpload produce a FULL_OBJECT checksum
// (the CRC of the whole object) from the stored part CRCs without reading a
// byte of data. It is zlib's crc32_combine generalised to any reflected CRC
// whose initial value and final xor are all ones (CRC32, CRC32C, CRC64NVME):
// crc(A‖B) = crc(A)·x^(8·len(B)) mod P  ⊕  crc(B).

// crcCombiner combines CRCs of one reflected polynomial of the given width.
type crcCombiner struct {
	poly  uint64 // reflected polynomial
	width uint   // 32 or 64
}

// crcCombinerFor returns the combiner for a full-object-capable algorithm.
func crcCombinerFor(alg string) (crcCombiner, bool) {
	switch alg {
	case algCRC32:
		return crcCombiner{poly: 0xedb88320, width: 32}, true
	case algCRC32C:
		return crcCombiner{poly: 0x82f63b78, width: 32}, true
	case algCRC64NVME:
		return crcCombiner{poly: 0x9a6c9329ac4bc9b5, width: 64}, true
	}
	return crcCombiner{}, false
}

// mulmod multiplies a and b modulo the polynomial (reflected bit order: the
// top bit is x^0).
func (c crcCombiner) mulmod(a, b uint64) uint64 {
	top := uint64(1) << (c.width - 1)
	var p uint64
	for m := top; m != 0; m >>= 1 {
		if a&m != 0 {
			p ^= b
		}
		if b&1 != 0 {
			b = b>>1 ^ c.poly
		} else {
			b >>= 1
		}
	}
	return p
}

// xpow8n returns x^(8n) modulo the polynomial, by square-and-multiply.
func (c crcCombiner) xpow8n(n int64) uint64 {
	one := uint64(1) << (c.width - 1) // x^0
	sq := one >> 1                    // x^1
	for i := 0; i < 3; i++ {          // x^8
		sq = c.mulmod(sq, sq)
	}
	p := one
	for ; n > 0; n >>= 1 {
		if n&1 != 0 {
			p = c.mulmod(sq, p)
		}
		sq = c.mulmod(sq, sq)
	}
	return p
}

// combine returns the CRC of A‖B from crcA, crcB and len(B).
func (c crcCombiner) combine(crcA, crcB uint64, lenB int64) uint64 {
	return c.mulmod(c.xpow8n(lenB), crcA) ^ crcB
}
