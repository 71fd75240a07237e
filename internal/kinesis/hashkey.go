package kinesis

import (
	"crypto/md5"
	"encoding/binary"
	"math/big"
	"math/bits"
)

// hashKey is a point of Kinesis's 128-bit hash key space (spec §1.5).
type hashKey struct{ hi, lo uint64 }

var maxHashKey = hashKey{^uint64(0), ^uint64(0)}

func (a hashKey) less(b hashKey) bool { return a.hi < b.hi || (a.hi == b.hi && a.lo < b.lo) }

func (a hashKey) add1() hashKey {
	lo, carry := bits.Add64(a.lo, 1, 0)
	return hashKey{a.hi + carry, lo}
}

func (a hashKey) sub1() hashKey {
	lo, borrow := bits.Sub64(a.lo, 1, 0)
	return hashKey{a.hi - borrow, lo}
}

// partitionHash is MD5(partition key) as a big-endian 128-bit integer.
func partitionHash(key string) hashKey {
	sum := md5.Sum([]byte(key))
	return hashKey{binary.BigEndian.Uint64(sum[:8]), binary.BigEndian.Uint64(sum[8:])}
}

func (a hashKey) big() *big.Int {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], a.hi)
	binary.BigEndian.PutUint64(b[8:], a.lo)
	return new(big.Int).SetBytes(b[:])
}

func (a hashKey) String() string { return a.big().String() }

func hashKeyFromBig(b *big.Int) hashKey {
	var buf [16]byte
	b.FillBytes(buf[:])
	return hashKey{binary.BigEndian.Uint64(buf[:8]), binary.BigEndian.Uint64(buf[8:])}
}

// parseHashKey parses a decimal hash key; ok is false when it is not an
// integer in [0, 2^128-1].
func parseHashKey(s string) (hashKey, bool) {
	b, ok := new(big.Int).SetString(s, 10)
	if !ok || b.Sign() < 0 || b.BitLen() > 128 {
		return hashKey{}, false
	}
	return hashKeyFromBig(b), true
}

// evenRanges splits the hash key space into n even ranges (spec §1.5):
// step = floor(2^128/n), range i = [i·step, (i+1)·step−1], the last ending at 2^128−1.
func evenRanges(n int) [][2]hashKey {
	space := new(big.Int).Lsh(big.NewInt(1), 128)
	step := new(big.Int).Div(space, big.NewInt(int64(n)))
	out := make([][2]hashKey, n)
	for i := 0; i < n; i++ {
		start := new(big.Int).Mul(step, big.NewInt(int64(i)))
		end := maxHashKey
		if i < n-1 {
			end = hashKeyFromBig(new(big.Int).Sub(new(big.Int).Add(start, step), big.NewInt(1)))
		}
		out[i] = [2]hashKey{hashKeyFromBig(start), end}
	}
	return out
}
