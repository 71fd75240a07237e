package pii

import (
	"net/netip"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Email addresses and URLs, found from their '@' and "://" (or "www.") anchors.

const (
	maxLocalPart = 64
	maxDomain    = 253
	maxURL       = 2048
)

func (s *scanner) scanEmails() {
	if !s.wants(kEmail) {
		return
	}
	s.scanEncodedEmails()
	t := s.text
	for off := 0; off < len(t); {
		k := strings.IndexByte(t[off:], '@')
		if k < 0 {
			return
		}
		at := off + k
		off = at + 1
		if start, end, ok := emailAround(t, at, at+1); ok {
			s.emit(kEmail, start, end, 0.95)
			s.nameBeforeEmail(start, t[start:at])
			off = end
		}
	}
}

// roleMailboxes: words of shared mailboxes' display names, which name no person.
const roleMailboxes = " contact sales info admin help service billing orders noreply reply hello office desk account accounts "

// nameBeforeEmail finds the person an address belongs to when their name is written just before it and
// the mailbox spells it: "Jane Smith <jane.smith@example.com>", "Customer: Zoe Long, zlong12@gmail.com".
func (s *scanner) nameBeforeEmail(start int, local string) {
	if !s.wants(kName) {
		return
	}
	t := s.text
	k := start
	for n := 0; n < 3 && k > 0 && strings.IndexByte(" <(\"',:", t[k-1]) >= 0; n++ {
		k--
	}
	if k == start || k == 0 || !isLetter(t[k-1]) && t[k-1] < 0x80 {
		return
	}
	lower := strings.ToLower(local)
	wordStart := func(e int) int { // start of the run of letters ending at e
		w := e
		for w > 0 {
			r, size := utf8.DecodeLastRuneInString(t[:w])
			if !unicode.IsLetter(r) && r != '\'' && r != '-' {
				break
			}
			w -= size
		}
		return w
	}
	// Back over up to three capitalised words separated by single spaces.
	begin, words, matched := k, 0, false
	for e := k; words < 3; e = begin - 1 {
		w := wordStart(e)
		if first, _ := utf8.DecodeRuneInString(t[w:e]); w == e || !unicode.IsUpper(first) {
			break
		}
		word := strings.ToLower(t[w:e])
		if strings.Contains(notNames+roleMailboxes, " "+word+" ") {
			return // "Customer Support <support@…>": a role, not a person
		}
		words++
		begin = w
		if len(word) >= 3 && strings.Contains(lower, word) {
			matched = true
		}
		if w < 2 || t[w-1] != ' ' {
			break
		}
	}
	if words >= 2 && matched {
		s.emit(kName, begin, k, 0.8)
	}
}

// scanEncodedEmails finds addresses percent-encoded outside a full URL: the path and query of an access-log
// request line ("GET /account/reset?email=jane%40example.com"), form bodies.
func (s *scanner) scanEncodedEmails() {
	if !s.wants(kEmail) {
		return
	}
	t := s.text
	for off := 0; off < len(t); {
		k := strings.Index(t[off:], "%40")
		if k < 0 {
			return
		}
		at := off + k
		off = at + 3
		if start, end, ok := emailAround(t, at, at+3); ok {
			s.emit(kEmail, start, end, 0.9)
			off = end
		}
	}
}

// emailAround validates the address around an '@' at [at, domainStart): a dot-atom local part and a domain
// of two or more labels with an alphabetic top-level domain.
func emailAround(t string, at, domainStart int) (start, end int, ok bool) {
	a := at
	for a > 0 && at-a < maxLocalPart && isLocalByte(t[a-1]) {
		a--
	}
	for a < at && t[a] == '.' {
		a++
	}
	if a == at || t[at-1] == '.' || strings.Contains(t[a:at], "..") {
		return 0, 0, false
	}
	e := domainStart
	for e < len(t) && e-domainStart < maxDomain && (isAlnum(t[e]) || t[e] == '.' || t[e] == '-') {
		e++
	}
	for e > domainStart && (t[e-1] == '.' || t[e-1] == '-') {
		e--
	}
	if !validHostname(t[domainStart:e]) {
		return 0, 0, false
	}
	return a, e, true
}

func isLocalByte(c byte) bool {
	return isAlnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-'
}

// validHostname: two or more labels of 1–63 letters, digits and inner hyphens, the last alphabetic (2+ chars).
func validHostname(h string) bool {
	if len(h) < 4 {
		return false
	}
	labels := 0
	for h != "" {
		label := h
		if i := strings.IndexByte(h, '.'); i >= 0 {
			label, h = h[:i], h[i+1:]
		} else {
			h = ""
		}
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		labels++
		if h == "" { // top-level domain
			if len(label) < 2 {
				return false
			}
			for i := 0; i < len(label); i++ {
				if !isLetter(label[i]) {
					return false
				}
			}
		}
	}
	return labels >= 2
}

func (s *scanner) scanURLs() {
	if !s.wants(kURL) && !s.wants(kEmail) {
		return
	}
	t := s.text
	for off := 0; off < len(t); {
		k := strings.Index(t[off:], "://")
		if k < 0 {
			break
		}
		p := off + k
		off = p + 3
		a := p
		for a > 0 && p-a < 6 && isLetter(t[a-1]) {
			a--
		}
		switch strings.ToLower(t[a:p]) {
		case "http", "https", "ftp", "ftps", "sftp", "ws", "wss":
		default:
			continue
		}
		off = max(off, s.url(a, p+3))
	}
	for off := 0; off < len(t); {
		k := strings.Index(t[off:], "www.")
		if k < 0 {
			break
		}
		p := off + k
		off = p + 4
		if p > 0 && (isAlnum(t[p-1]) || t[p-1] == '/' || t[p-1] == '.' || t[p-1] == '@') {
			continue // inside a URL with a scheme, a hostname or an email
		}
		off = max(off, s.url(p, p))
	}
}

// url reports the URL starting at start whose authority starts at host, and the email addresses
// percent-encoded in its query ("?email=jane%40example.com"). It returns the end of the run of URL characters
// even when they are no URL, so that the anchors inside it are not examined again.
func (s *scanner) url(start, host int) (runEnd int) {
	t := s.text
	end := host
	for end < len(t) && end-start < maxURL && isURLByte(t[end]) {
		end++
	}
	runEnd = end
	for end > host && strings.IndexByte(".,;:!?)]'*", t[end-1]) >= 0 {
		end--
	}
	hostEnd := host
	for hostEnd < end && t[hostEnd] != '/' && t[hostEnd] != '?' && t[hostEnd] != '#' {
		hostEnd++
	}
	authority := t[host:hostEnd]
	if i := strings.LastIndexByte(authority, '@'); i >= 0 {
		authority = authority[i+1:]
	}
	if strings.HasPrefix(authority, "[") { // [IPv6]:port
		i := strings.IndexByte(authority, ']')
		if i < 0 {
			return runEnd
		}
		if _, err := netip.ParseAddr(authority[1:i]); err != nil {
			return runEnd
		}
	} else {
		if i := strings.LastIndexByte(authority, ':'); i >= 0 && allDigits(authority[i+1:]) {
			authority = authority[:i]
		}
		if _, err := netip.ParseAddr(authority); err != nil && authority != "localhost" && !validHostname(authority) {
			return runEnd
		}
	}
	s.emit(kURL, start, end, 0.6)
	if s.wants(kEmail) {
		for q := hostEnd; q < end; {
			k := strings.Index(t[q:end], "%40")
			if k < 0 {
				break
			}
			at := q + k
			q = at + 3
			if a, e, ok := emailAround(t, at, at+3); ok && e <= end {
				s.emit(kEmail, a, e, 0.9)
				q = e
			}
		}
	}
	return runEnd
}

func isURLByte(c byte) bool {
	return c > ' ' && c < 0x7f && strings.IndexByte("\"<>\\^`{|}", c) < 0
}
