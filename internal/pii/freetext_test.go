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
	} {
		if ents := d.Detect(text); len(ents) > 0 {
			t.Errorf("Detect(%q) found:\n%s", text, describe(ents))
		}
	}
}
