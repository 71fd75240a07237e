package piieval

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/tributary-dev/tributary/internal/pii"
)

// ---- CSV exports -----------------------------------------------------------------

func csvCustomers(g gen) Doc {
	var b builder
	styles := [][]string{
		{"customer_id", "full_name", "email", "phone", "street_address", "city", "state", "zip", "date_of_birth", "signup_ts", "lifetime_value", "last_order_id"},
		{"Customer ID", "Customer Name", "E-mail", "Phone Number", "Address", "City", "State", "ZIP", "Birthday", "Signed Up", "LTV", "Last Order"},
	}
	header := styles[g.r.IntN(len(styles))]
	sep := ","
	f := pii.FormatCSV
	if g.chance(0.2) {
		sep, f = "\t", pii.FormatTSV
	}
	var hc []cell
	for _, h := range header {
		hc = append(hc, c(h))
	}
	b.csvRow(sep, hc...)
	for range g.n(10, 30) {
		p, a := g.personEN(), g.addressEN()
		phone := g.phoneUS()
		if g.chance(0.2) {
			phone = g.phoneIntl()
		}
		street := a.street
		if a.unit != "" {
			street += g.pick(" ", "\n") + a.unit // spreadsheets export two-line cells quoted
		}
		b.csvRow(sep, nc("order id", fmt.Sprintf("C%07d", g.n(1, 9999999))), pc(tName, p.full), pc(tEmail, g.email(p, false)),
			pc(tPhone, phone), pc(tAddress, street), c(a.city), c(a.region), c(a.postcode), pc(tDate, g.dob(false)),
			nc("epoch seconds", g.epochSeconds()), nc("price", fmt.Sprintf("%d.%02d", g.n(0, 5000), g.n(0, 99))), nc("order id", g.orderID()))
	}
	return b.doc("", f, true)
}

func csvPayments(g gen) Doc {
	var b builder
	b.csvRow(",", c("txn_id"), c("created_at"), c("cardholder_name"), c("card_number"), c("card_exp"), c("iban"),
		c("amount"), c("currency"), c("voucher_code"), c("auth_ref"), c("status"))
	for range g.n(10, 30) {
		p := g.personEN()
		card, exp, iban := c(""), c(""), c("")
		if g.chance(0.7) {
			card, exp = pc(tCard, g.card()), pc(tExpiry, g.expiry())
		} else {
			iban = pc(tIBAN, g.iban())
		}
		voucher := c("")
		if g.chance(0.2) {
			voucher = nc("card failing Luhn", g.badCard())
		}
		b.csvRow(",", nc("uuid", g.uuid()), nc("timestamp", g.isoTime()), pc(tName, p.full), card, exp, iban,
			nc("price", fmt.Sprintf("%d.%02d", g.n(1, 2000), g.n(0, 99))), c(g.pick("USD", "EUR", "GBP")), voucher,
			nc("hash", g.from(upperAlnum, 10)), c(g.pick("captured", "refunded", "declined")))
	}
	return b.doc("", pii.FormatCSV, true)
}

func csvKO(g gen) Doc {
	var b builder
	withRRN := g.chance(0.4) // payroll-style exports carry resident numbers
	header := []cell{c("회원번호"), c("이름"), c("휴대폰"), c("이메일"), c("주소"), c("생년월일"), c("가입일"), c("누적구매액")}
	if withRRN {
		header = append(header, c("주민등록번호"))
	}
	b.csvRow(",", header...)
	for range g.n(10, 30) {
		p, a := g.personKO(), g.addressKO()
		row := []cell{nc("order id", fmt.Sprintf("M%08d", g.n(1, 99999999))), pc(tName, p.full), pc(tPhone, g.phoneKR()),
			pc(tEmail, g.email(p, true)), pc(tAddress, a.full), pc(tDate, g.dob(true)),
			nc("timestamp", fmt.Sprintf("%d-%02d-%02d %02d:%02d", g.n(2018, 2026), g.n(1, 12), g.n(1, 28), g.n(0, 23), g.n(0, 59))),
			nc("price", g.krw())}
		if withRRN {
			row = append(row, pc(tRRN, g.rrn()))
		}
		b.csvRow(",", row...)
	}
	return b.doc("", pii.FormatCSV, true)
}

// ---- support tickets and chats ------------------------------------------------------

func ticketEN(g gen) Doc {
	var b builder
	p := g.personEN()
	b.w("Subject: ", g.pick("Refund request", "Where is my package?", "Wrong item received", "Double charge"), " - order ")
	b.n("order id", g.orderID())
	b.w("\n\n", g.pick("Hi,", "Hello,", "Hi there,", "Dear support team,"), "\n\n")
	switch g.r.IntN(3) {
	case 0:
		b.w("My name is ")
		b.p(tName, p.full)
		b.w(" and I ordered a ")
	case 1:
		b.w("This is ")
		b.p(tName, p.full)
		b.w(". I ordered a ")
	default:
		b.w("I ordered a ")
	}
	b.w(strings.ToLower(g.product(false)), " (SKU ")
	b.n("sku", g.sku())
	b.w(") ", g.pick("two weeks ago", "last Monday", "on the 3rd"), " and ", g.pick("it never arrived.", "it arrived broken.", "I was charged twice."), "\n")
	if g.chance(0.5) {
		b.w("The charge went to my card ")
		b.p(tCard, g.card())
		if g.chance(0.5) {
			b.w(", expiry ")
			b.p(tExpiry, g.expiry())
		}
		b.w(". The total was ")
		b.n("price", g.price())
		b.w(".\n")
	}
	if g.chance(0.6) {
		b.w("You can reach me at ")
		b.p(tPhone, g.phoneUS())
		b.w(" or ")
		b.p(tEmail, g.email(p, false))
		b.w(".\n")
	}
	if g.chance(0.5) {
		b.w(g.pick("Please send the replacement to ", "My address is ", "Ship it to "))
		b.p(tAddress, g.addressEN().full)
		b.w(".\n")
	}
	if g.chance(0.3) {
		b.w("For the refund, my IBAN is ")
		b.p(tIBAN, g.iban())
		b.w(".\n")
	}
	if g.chance(0.4) {
		b.w("The tracking number ")
		b.n("tracking number", g.tracking())
		b.w(" hasn't updated since ")
		b.n("timestamp", g.isoTime())
		b.w(".\n")
	}
	if g.chance(0.25) {
		b.w("For verification, my date of birth is ")
		b.p(tDate, g.dob(false))
		b.w(".\n")
	}
	if g.chance(0.1) {
		b.w("Your tax form asked for my SSN, it is ")
		b.p(tSSN, g.ssn())
		b.w(".\n")
	}
	if g.chance(0.2) {
		b.w("I'm on app version ")
		b.n("version", g.version())
		b.w(", request id ")
		b.n("uuid", g.uuid())
		b.w(".\n")
	}
	b.w("\n", g.pick("Thanks,", "Best regards,", "Regards,", "Cheers,"), "\n")
	b.p(tName, p.full)
	b.w("\n")
	return b.doc("", pii.FormatText, false)
}

func ticketKO(g gen) Doc {
	var b builder
	p := g.personKO()
	b.w("제목: ", g.pick("배송 관련 문의드립니다", "환불 요청", "주문 취소 요청", "결제 오류 문의"), " (주문번호 ")
	b.n("order id", g.orderID())
	b.w(")\n\n안녕하세요. ")
	if g.chance(0.5) {
		b.p(tName, p.full)
		b.w("입니다.\n")
	} else {
		b.w("저는 ")
		b.p(tName, p.full)
		b.w(g.pick("이라고 합니다.\n", "고객입니다.\n"))
	}
	b.w(g.pick("지난주", "3일 전에", "어제"), " 주문한 ", g.product(true), " (상품코드 ")
	b.n("sku", g.sku())
	b.w(") ", g.pick("관련 문의드립니다.", "이 아직 도착하지 않았습니다.", "이 파손되어 왔습니다."), "\n")
	if g.chance(0.7) {
		b.w("연락처는 ")
		b.p(tPhone, g.phoneKR())
		b.w(" 이고 이메일은 ")
		b.p(tEmail, g.email(p, true))
		b.w(" 입니다.\n")
	}
	if g.chance(0.6) {
		b.w("배송지를 ")
		b.p(tAddress, g.addressKO().full)
		b.w(" 으로 변경해 주세요.\n")
	}
	if g.chance(0.3) {
		b.w("결제한 카드번호는 ")
		b.p(tCard, g.card())
		b.w(" 이고 금액은 ")
		b.n("price", g.krw())
		b.w(" 입니다.\n")
	}
	if g.chance(0.3) {
		b.w("환불 계좌는 ", g.pick("국민은행", "신한은행", "우리은행", "하나은행"), " ")
		b.p(tBankAcct, fmt.Sprintf("%s-%s-%s", g.digits(6), g.digits(2), g.digits(6)))
		b.w(" 입니다.\n")
	}
	if g.chance(0.2) {
		b.w("본인 확인을 위해 주민등록번호 ")
		b.p(tRRN, g.rrn())
		b.w(" 를 남깁니다.\n")
	}
	if g.chance(0.4) {
		b.w("운송장번호 ")
		b.n("tracking number", g.tracking())
		b.w(" 조회가 안 됩니다.\n")
	}
	b.w("\n감사합니다.\n")
	return b.doc("", pii.FormatText, false)
}

func (g gen) clock(b *builder) {
	b.w("[")
	b.n("timestamp", fmt.Sprintf("%d-%02d-%02d %02d:%02d:%02d", g.n(2024, 2026), g.n(1, 12), g.n(1, 28), g.n(8, 22), g.n(0, 59), g.n(0, 59)))
	b.w("] ")
}

func chatEN(g gen) Doc {
	var b builder
	p := g.personEN()
	a := g.addressEN()
	g.clock(&b)
	b.w("Agent: Hi! Thanks for contacting support. How can I help you today?\n")
	g.clock(&b)
	b.w("Customer: hi, my order ")
	b.n("order id", g.orderID())
	b.w(" still hasn't arrived\n")
	g.clock(&b)
	b.w("Agent: Sorry to hear that. Can I have your full name and the email on the account?\n")
	g.clock(&b)
	b.w("Customer: ")
	b.p(tName, p.full)
	b.w(", ")
	b.p(tEmail, g.email(p, false))
	b.w("\n")
	if g.chance(0.7) {
		g.clock(&b)
		b.w("Agent: Thanks. And the phone number we can reach you at?\n")
		g.clock(&b)
		b.w("Customer: ", g.pick("it's ", "", "sure, "))
		if g.chance(0.7) {
			b.p(tPhone, g.phoneUS())
		} else {
			b.p(tPhone, g.phoneIntl())
		}
		b.w("\n")
	}
	g.clock(&b)
	b.w("Agent: Could you confirm the shipping address?\n")
	g.clock(&b)
	b.w("Customer: ")
	b.p(tAddress, a.full)
	b.w("\n")
	g.clock(&b)
	b.w("Agent: I see it. The package is with the carrier, tracking number ")
	b.n("tracking number", g.tracking())
	b.w(". I've issued a credit of ")
	b.n("price", g.price())
	b.w(".\n")
	if g.chance(0.3) {
		g.clock(&b)
		b.w("Customer: can you refund to my card instead? it's ")
		b.p(tCard, g.card())
		if g.chance(0.5) {
			b.w(" cvv ")
			b.p(tCVV, g.digits(3))
		}
		b.w("\n")
		g.clock(&b)
		b.w("Agent: Please never share card details in chat. I've removed them from the transcript.\n")
	}
	g.clock(&b)
	b.w("Customer: ok thanks\n")
	return b.doc("", pii.FormatText, false)
}

func chatKO(g gen) Doc {
	var b builder
	p := g.personKO()
	g.clock(&b)
	b.w("상담원: 안녕하세요, 고객센터입니다. 무엇을 도와드릴까요?\n")
	g.clock(&b)
	b.w("고객: 주문번호 ")
	b.n("order id", g.orderID())
	b.w(" 배송이 안 와요\n")
	g.clock(&b)
	b.w("상담원: 불편을 드려 죄송합니다. 주문자 성함과 연락처를 알려주시겠어요?\n")
	g.clock(&b)
	b.w("고객: ")
	b.p(tName, p.full)
	b.w(g.pick(" ", "이고요 ", "입니다 "))
	b.p(tPhone, g.phoneKR())
	b.w("\n")
	if g.chance(0.6) {
		g.clock(&b)
		b.w("상담원: 확인되었습니다. 배송지 주소도 확인 부탁드립니다.\n")
		g.clock(&b)
		b.w("고객: ")
		b.p(tAddress, g.addressKO().full)
		b.w(g.pick("", " 입니다", " 이에요"), "\n")
	}
	if g.chance(0.3) {
		g.clock(&b)
		b.w("고객: 이메일은 ")
		b.p(tEmail, g.email(p, true))
		b.w(" 로 보내주세요\n")
	}
	g.clock(&b)
	b.w("상담원: 운송장번호 ")
	b.n("tracking number", g.tracking())
	b.w(" 로 조회해 보니 내일 도착 예정입니다.\n")
	g.clock(&b)
	b.w("고객: 네 감사합니다\n")
	return b.doc("", pii.FormatText, false)
}

// ---- server logs --------------------------------------------------------------------

func logNginx(g gen) Doc {
	var b builder
	months := []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
	for range g.n(10, 30) {
		if g.chance(0.8) {
			b.p(tIP, g.ipv4())
		} else {
			b.p(tIP, g.ipv6())
		}
		b.w(" - ")
		if g.chance(0.1) {
			b.p(tUser, g.username(g.personEN()))
		} else {
			b.w("-")
		}
		b.w(" [")
		b.n("timestamp", fmt.Sprintf("%02d/%s/%d:%02d:%02d:%02d +0000", g.n(1, 28), months[g.r.IntN(12)], g.n(2024, 2026), g.n(0, 23), g.n(0, 59), g.n(0, 59)))
		b.w(`] "`, g.pick("GET", "GET", "POST"), " ")
		switch g.r.IntN(6) {
		case 0:
			b.w("/api/v1/orders/")
			b.n("order id", strings.TrimPrefix(g.orderID(), "#"))
		case 1:
			b.w("/products/")
			b.n("sku", g.sku())
		case 2:
			b.w("/account/reset?email=")
			b.p(tEmail, url.QueryEscape(g.email(g.personEN(), false)))
			b.w("&token=")
			b.n("hash", g.from(lowerHex, 32))
		case 3:
			b.w("/static/js/app.")
			b.n("hash", g.from(lowerHex, 20))
			b.w(".js")
		case 4:
			b.w("/api/v2/shipments/")
			b.n("tracking number", strings.ReplaceAll(g.tracking(), " ", ""))
		default:
			b.w("/search?q=", g.pick("mouse", "tea", "shoes"), "&page=", fmt.Sprint(g.n(1, 9)))
		}
		b.w(" HTTP/1.1\" ", g.pick("200", "200", "304", "404", "500"), " ", fmt.Sprint(g.n(120, 90000)), ` "`)
		b.w(g.pick("-", "https://www.google.com/", "https://shop.example.com/"), `" "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/`)
		b.n("version", fmt.Sprintf("%d.0.%d.%d", g.n(100, 131), g.n(4000, 6999), g.n(10, 250)))
		b.w(` Safari/537.36" `, fmt.Sprintf("%d.%03d", g.n(0, 2), g.n(0, 999)), "\n")
	}
	return b.doc("", pii.FormatText, false)
}

func logApp(g gen) Doc {
	var b builder
	for range g.n(10, 30) {
		b.n("timestamp", g.isoTime())
		b.w(" ", g.pick("INFO ", "INFO ", "WARN ", "ERROR", "DEBUG"), " [", g.pick("http-nio-8080-exec-3", "main", "worker-12", "scheduler-1"), "] ")
		switch g.r.IntN(10) {
		case 0:
			b.w("c.a.shop.OrderService - order ")
			b.n("order id", g.orderID())
			b.w(" placed by ")
			b.p(tEmail, g.email(g.personEN(), false))
			b.w(" from ")
			b.p(tIP, g.ipv4())
			b.w(" trace=")
			b.n("uuid", g.uuid())
		case 1:
			b.w("c.a.auth.LoginController - login failed user=")
			b.p(tUser, g.username(g.personEN()))
			b.w(" ip=")
			b.p(tIP, g.ipv4())
			b.w(" attempts=", fmt.Sprint(g.n(1, 5)))
		case 2:
			b.w("c.a.config.AwsConfig - credentials loaded aws_access_key_id=")
			b.p(tAKID, g.awsAccessKey())
			b.w(" aws_secret_access_key=")
			b.p(tSecret, g.awsSecretKey())
			b.w(" region=us-east-1")
		case 3:
			b.w("c.a.pay.Gateway - payment declined card=")
			b.p(tCard, g.card())
			b.w(" exp=")
			b.p(tExpiry, g.expiry())
			b.w(" amount=")
			b.n("price", fmt.Sprintf("%d.%02d", g.n(1, 900), g.n(0, 99)))
		case 4:
			b.w("sshd[", fmt.Sprint(g.n(1000, 65000)), "]: Failed password for ")
			b.p(tUser, g.username(g.personEN()))
			b.w(" from ")
			b.p(tIP, g.ipv4())
			b.w(" port ", fmt.Sprint(g.n(1024, 65535)), " ssh2")
		case 5:
			b.w("c.a.net.DeviceRegistry - device ")
			b.p(tMAC, g.mac())
			b.w(" joined vlan=", fmt.Sprint(g.n(1, 40)), " firmware=")
			b.n("version", g.version())
		case 6:
			b.w("c.a.build.Info - build ")
			b.n("version", g.version())
			b.w(" commit ")
			b.n("hash", g.from(lowerHex, 40))
			b.w(" started in ", fmt.Sprint(g.n(300, 9000)), " ms")
		case 7:
			b.w("c.a.ship.Labels - shipment ")
			b.n("tracking number", g.tracking())
			b.w(" label created for order ")
			b.n("order id", g.orderID())
		case 8:
			b.w("c.a.cache.Redis - cache hit key=product:")
			b.n("sku", g.sku())
			b.w(" ttl=3600 ts=")
			b.n("epoch seconds", g.epochSeconds())
		default:
			b.w("c.a.users.Signup - new user ")
			p := g.personEN()
			b.p(tEmail, g.email(p, false))
			b.w(" phone=")
			b.p(tPhone, g.phoneUS())
			b.w(" invoice=")
			b.n("invoice id", g.invoice())
		}
		b.w("\n")
	}
	return b.doc("", pii.FormatText, false)
}
