package pii

import "testing"

func TestFreeTextNamesAndAddresses(t *testing.T) {
	d := NewDetector(Options{})
	finds := []struct{ text, typ, want string }{
		{"Please contact Mr. John Smith tomorrow", TypeName, "John Smith"},
		{"Dear Jane,\nyour order shipped", TypeName, "Jane"},
		{"Hi Maria Garcia, thanks", TypeName, "Maria Garcia"},
		{"my name is Alex Chen and", TypeName, "Alex Chen"},
		{"Best regards,\nDavid Brown", TypeName, "David Brown"},
		{"Hi,\n\nMy name is Nikolai Parker and I ordered", TypeName, "Nikolai Parker"},
		{"Cheers,\nAva Haddad\n", TypeName, "Ava Haddad"},
		{"안녕하세요. 남지호입니다.\n", TypeName, "남지호"},
		{"From: Jane Smith <jane.smith@example.com>", TypeName, "Jane Smith"},
		{"sshd[812]: Failed password for jdoe from 203.0.113.7 port 52144 ssh2", TypeUsername, "jdoe"},
		{"sshd[812]: Failed password for invalid user oracle_dba from 203.0.113.7 port 22 ssh2", TypeUsername, "oracle_dba"},
		{"sshd[812]: Accepted publickey for deploy.bot from 10.0.0.5 port 40022 ssh2", TypeUsername, "deploy.bot"},
		{`203.0.113.7 - anna10 [10/Oct/2026:13:55:36 +0000] "GET / HTTP/1.1" 200 512`, TypeUsername, "anna10"},
		{"Customer: Zoe Long, zlong12@gmail.com", TypeName, "Zoe Long"},
		{"signed by Chloé Dubois (dubois.chloe@orange.fr)", TypeName, "Chloé Dubois"},
		{"안녕하세요. 저는 제갈시우라고 합니다.", TypeName, "제갈시우"},
		{"홍길동님께서 문의하셨습니다", TypeName, "홍길동"},
		{"고객 김철수님 배송 완료", TypeName, "김철수"},
		{"남궁민수님 안녕하세요", TypeName, "남궁민수"},
		{"Ship to 123 Main St, Springfield, IL 62701 by Friday", TypeAddress, "123 Main St, Springfield, IL 62701"},
		{"at 42 Elm Street Apt 4B today", TypeAddress, "42 Elm Street Apt 4B"},
		{"1600 Pennsylvania Ave. is", TypeAddress, "1600 Pennsylvania Ave."},
		{"배송지는 서울특별시 강남구 테헤란로 152 (역삼동) 입니다", TypeAddress, "서울특별시 강남구 테헤란로 152 (역삼동)"},
		{"경기도 성남시 분당구 판교역로 235 101동 1203호로 보내주세요", TypeAddress, "경기도 성남시 분당구 판교역로 235 101동 1203호"},
		{"주소: 서울 강남구 역삼동 737-32", TypeAddress, "서울 강남구 역삼동 737-32"},
		{"부산광역시 해운대구 센텀중앙로 79", TypeAddress, "부산광역시 해운대구 센텀중앙로 79"},
		// Found by the evaluation set (internal/pii/piieval).
		{"Ship it to 11 Kings Road, London SW1A 1AA.", TypeAddress, "11 Kings Road, London SW1A 1AA"},
		{"My address is Flat 1, 28 Station Road, Bristol BS1 5EF.", TypeAddress, "Flat 1, 28 Station Road, Bristol BS1 5EF"},
		{"to 108 Queen's Avenue, Leeds LS13 1LP please", TypeAddress, "108 Queen's Avenue, Leeds LS13 1LP"},
		{"Customer: 223 Church Close, Bristol BS2 2ZJ", TypeAddress, "223 Church Close, Bristol BS2 2ZJ"},
		{"Customer: 125 Mill Avenue, Edinburgh EH17 2RU", TypeAddress, "125 Mill Avenue, Edinburgh EH17 2RU"},
		{"배송지: 인천광역시 연수구 센트럴로 147 자이아파트 109동 842호", TypeAddress, "인천광역시 연수구 센트럴로 147 자이아파트 109동 842호"},
		{"서울특별시 마포구 성산동 614-10 힐스테이트아파트 102동 655호 으로 변경", TypeAddress,
			"서울특별시 마포구 성산동 614-10 힐스테이트아파트 102동 655호"},
		{"서울특별시 강남구 테헤란로 158 (역삼동) 푸르지오아파트 111동 1200호", TypeAddress,
			"서울특별시 강남구 테헤란로 158 (역삼동) 푸르지오아파트 111동 1200호"},
	}
	for _, tc := range finds {
		found := false
		ents := d.Detect(tc.text)
		for _, e := range ents {
			found = found || e.Type == tc.typ && e.Text == tc.want
		}
		if !found {
			t.Errorf("Detect(%q): want %s %q, got:\n%s", tc.text, tc.typ, tc.want, describe(ents))
		}
	}
	for _, text := range []string{
		"Dear Customer, thanks for your order",
		"Hi Team, the build is green",
		"고객님 안녕하세요, 선생님께 전달했습니다",
		"We are at the Main Street market",
		"서울 여행 후기: 경기가 좋았다",
		"Dr. who? drive 5 Way",
		"version 3 Road Map",
		"We are very Close to 12 of them", // "Close" ends a street only after a house number and a name
		"Hi,\n\nMy order never arrived",   // an opening greeting names its reader on its own line
		"Hello,\n\nThis is about my refund",
		"안녕하세요. 홍보팀입니다.",
		"이번 주문은 취소입니다",
	} {
		if ents := d.Detect(text); len(ents) > 0 {
			t.Errorf("Detect(%q) found:\n%s", text, describe(ents))
		}
	}
	// Before an address, words name its owner only if the mailbox spells one and they are no role; log
	// lines without a user name none.
	for _, text := range []string{
		"Contact Customer Support <support@example.com>",
		"Write to Sales Team <team.sales@example.com>",
		"Order Summary: jane.smith@example.com",
		`203.0.113.7 - - [10/Oct/2026:13:55:36 +0000] "GET / HTTP/1.1" 200 512`, // no user: "-"
		"Reset password for your account from the settings page",
	} {
		for _, e := range d.Detect(text) {
			if e.Type == TypeName || e.Type == TypeUsername {
				t.Errorf("Detect(%q) found %s %q", text, e.Type, e.Text)
			}
		}
	}
}
