package pii

// Phone numbers: E.164 with '+', Korean national numbers (spec §5.3), North American numbers, and other
// national formats with a trunk '0' (weak without context).

func (s *scanner) numPhone(w *numWindow, d []byte) {
	if !s.wants(kPhone) {
		return
	}
	if w.plus {
		s.internationalPhone(w, d)
		return
	}
	if d[0] == '0' {
		if plen, mobile, ok := krPhone(d); ok && w.krShape(plen) && !(w.n == 3 && w.lens[0] == 4 && w.inFourRun()) {
			base := 0.7
			switch {
			case mobile && w.n > 1:
				base = 0.85
			case mobile:
				base = 0.65
			case w.n == 1:
				base = 0.35
			}
			if w.n == 1 && s.d.korean {
				base += 0.1
			}
			s.emit(kPhone, w.start, w.end, boost(base, s.wctx(w), cPhone))
			return
		}
		// Other countries' national formats: "020 7946 0958", "01 23 45 67 89".
		if w.n >= 2 && w.nd >= 9 && w.nd <= 11 && w.sameSeps() && w.groupsWithin(2, 5) {
			s.emit(kPhone, w.start, w.end, boost(0.45, s.wctx(w), cPhone))
		}
		return
	}
	if nanp, lead := nanpDigits(d); nanp != nil {
		base := 0.0
		switch {
		case w.n == 1:
			base = 0.2
			if !s.d.korean {
				base = 0.3
			}
		case !lead && w.shape(3, 3, 4) || lead && w.shape(1, 3, 3, 4):
			area := 0
			if lead {
				area = 1
			}
			switch {
			case w.open&(1<<area) != 0:
				base = 0.75
			case w.seps[area]&(sepDash|sepDot) != 0:
				base = 0.65
			default:
				base = 0.5
			}
		default:
			return
		}
		s.emit(kPhone, w.start, w.end, boost(base, s.wctx(w), cPhone))
		return
	}
	// Korean company lines 15XX/16XX/18XX-XXXX; 7-digit local numbers by context only.
	switch {
	// A company line stands alone: "1827 6637" inside "6011 1827 6637 3913" is part of a longer number.
	case w.shape(4, 4) && w.alone && d[0] == '1' && (d[1] == '5' || d[1] == '6' || d[1] == '8') && w.sameSeps():
		s.emit(kPhone, w.start, w.end, boost(0.5, s.wctx(w), cPhone))
	case w.shape(3, 4) && w.uniform(sepDash) && d[0] >= '2' && s.wctx(w)&cPhone != 0:
		s.emit(kPhone, w.start, w.end, 0.6)
	}
}

func (s *scanner) internationalPhone(w *numWindow, d []byte) {
	if w.nd < 8 || w.nd > 15 {
		return
	}
	switch {
	case d[0] == '8' && d[1] == '2':
		var national [maxWinDigits]byte
		national[0] = '0'
		n := 1 + copy(national[1:], d[2:])
		if _, _, ok := krPhone(national[:n]); ok && (w.n == 1 || w.lens[0] == 2) {
			s.emit(kPhone, w.start, w.end, boost(0.9, s.wctx(w), cPhone))
		}
	case d[0] == '1':
		if nanp, _ := nanpDigits(d); nanp != nil && w.nd == 11 && (w.n == 1 || w.lens[0] == 1) {
			s.emit(kPhone, w.start, w.end, boost(0.9, s.wctx(w), cPhone))
		}
	case d[0] != '0' && (w.n == 1 || w.groupsWithin(1, 5) || w.lens[0] <= 3 && w.nationalGroups()):
		s.emit(kPhone, w.start, w.end, boost(0.75, s.wctx(w), cPhone))
	}
}

// nationalGroups: after a country code, national numbers are written in groups of up to 8 digits
// ("+44 7700 900123", "+49 30 12345678").
func (w *numWindow) nationalGroups() bool {
	for k := 1; k < w.n; k++ {
		if w.lens[k] < 1 || w.lens[k] > 8 {
			return false
		}
	}
	return w.n > 1
}

// krShape: contiguous, or area-subscriber groups "010-1234-5678", "02-123-4567", "0505-123-4567".
func (w *numWindow) krShape(plen int) bool {
	switch w.n {
	case 1:
		return true
	case 3:
		return w.lens[0] == plen && (w.lens[1] == 3 || w.lens[1] == 4) && w.lens[2] == 4
	}
	return false
}

func (w *numWindow) groupsWithin(lo, hi int) bool {
	for k := 0; k < w.n; k++ {
		if w.lens[k] < lo || w.lens[k] > hi {
			return false
		}
	}
	return true
}

// krPhone validates a Korean national number (with its leading 0): prefix, and total length for that prefix.
func krPhone(d []byte) (plen int, mobile, ok bool) {
	n := len(d)
	if n < 9 || n > 12 || d[0] != '0' {
		return 0, false, false
	}
	a, b := d[1], d[2]
	switch {
	case a == '1' && b == '0':
		return 3, true, n == 11 && d[3] != '0'
	case a == '1' && (b == '1' || b >= '6' && b <= '9'):
		return 3, true, (n == 10 || n == 11) && d[3] != '0'
	case a == '2':
		return 2, false, (n == 9 || n == 10) && b != '0'
	case a == '5' && b == '0':
		return 4, false, d[3] >= '2' && d[3] <= '8' && (n == 11 || n == 12)
	case a == '7' && b == '0':
		return 3, false, n == 11
	case a == '8' && b == '0':
		return 3, false, n == 10
	case a == '3' && b >= '1' && b <= '3', a == '4' && b >= '1' && b <= '4', a == '5' && b >= '1' && b <= '5',
		a == '6' && b >= '1' && b <= '4':
		return 3, false, (n == 10 || n == 11) && d[3] != '0'
	}
	return 0, false, false
}

// nanpDigits returns the ten digits of a valid North American number (area and exchange [2-9]XX, not N11),
// optionally after a leading 1.
func nanpDigits(d []byte) (ten []byte, lead bool) {
	if len(d) == 11 && d[0] == '1' {
		d, lead = d[1:], true
	}
	if len(d) != 10 || d[0] < '2' || d[3] < '2' || d[1] == '1' && d[2] == '1' || d[4] == '1' && d[5] == '1' {
		return nil, false
	}
	return d, lead
}
