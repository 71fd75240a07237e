package kinesis

import (
	"math/big"
	"testing"
)

func TestSequenceNumbers(t *testing.T) {
	tests := []struct {
		index int
		pos   uint64
	}{{0, 0}, {0, 1}, {7, 123456789}, {1<<31 - 1, 1<<64 - 1}}
	for _, tc := range tests {
		s := formatSeq(tc.index, tc.pos)
		if len(s) != 56 {
			t.Fatalf("%q: %d digits", s, len(s))
		}
		idx, pos, ok := parseSeq(s)
		if !ok || idx != tc.index || pos != tc.pos {
			t.Fatalf("parse(%q) = %d %d %v", s, idx, pos, ok)
		}
	}
	// Ordered by shard, then position, as big integers.
	a, _ := new(big.Int).SetString(formatSeq(1, 1<<64-1), 10)
	b, _ := new(big.Int).SetString(formatSeq(2, 0), 10)
	if a.Cmp(b) >= 0 {
		t.Fatal("a child's first number is not above its parent's last")
	}
	for _, bad := range []string{"0", "1234", "48000000000000000000000000000000000000000000000000000001",
		"4900000000000000000000001000000000000000000000000000000x", "49000000000000000000000100000000000000000000000000000000"} {
		if _, _, ok := parseSeq(bad); ok {
			t.Fatalf("%q parsed", bad)
		}
	}
}

func TestEvenRanges(t *testing.T) {
	r := evenRanges(2)
	if r[0][0].String() != "0" || r[0][1].String() != "170141183460469231731687303715884105727" ||
		r[1][0].String() != "170141183460469231731687303715884105728" || r[1][1].String() != "340282366920938463463374607431768211455" {
		t.Fatalf("two ranges %v", r)
	}
	for _, n := range []int{1, 3, 7, 100} {
		r := evenRanges(n)
		if r[0][0] != (hashKey{}) || r[n-1][1] != maxHashKey {
			t.Fatalf("%d ranges do not cover the space", n)
		}
		for i := 1; i < n; i++ {
			if r[i-1][1].add1() != r[i][0] {
				t.Fatalf("%d ranges: gap or overlap at %d", n, i)
			}
		}
	}
}
