package piieval

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/tributary-dev/tributary/internal/pii"
)

// The document kinds. Each generator writes one document of its kind with a
// realistic mix of personal values and look-alikes, every one labelled.

const (
	tName     = pii.TypeName
	tAddress  = pii.TypeAddress
	tEmail    = pii.TypeEmail
	tPhone    = pii.TypePhone
	tDate     = pii.TypeDateTime
	tUser     = pii.TypeUsername
	tPassword = pii.TypePassword
	tIP       = pii.TypeIPAddress
	tMAC      = pii.TypeMACAddress
	tAKID     = pii.TypeAWSAccessKey
	tSecret   = pii.TypeAWSSecretKey
	tCard     = pii.TypeCreditDebitNumber
	tCVV      = pii.TypeCreditDebitCVV
	tExpiry   = pii.TypeCreditDebitExpiry
	tBankAcct = pii.TypeBankAccountNumber
	tIBAN     = pii.TypeIBAN
	tSSN      = pii.TypeSSN
	tPassport = pii.TypePassportNumber
	tRRN      = pii.TypeKRResidentNumber
	tBRN      = pii.TypeKRBusinessNumber
)

type kindGen struct {
	name string
	gen  func(g gen) Doc
}

func kinds() []kindGen {
	return []kindGen{
		{"orders-en", ordersEN}, {"orders-ko", ordersKO}, {"clickstream", clickstream},
		{"csv-customers", csvCustomers}, {"csv-payments", csvPayments}, {"csv-ko", csvKO},
		{"ticket-en", ticketEN}, {"ticket-ko", ticketKO}, {"chat-en", chatEN}, {"chat-ko", chatKO},
		{"log-nginx", logNginx}, {"log-app", logApp}, {"kyc-en", kycEN}, {"csv-hr-ko", csvHRKO},
	}
}

// Generate returns docsPerKind documents of every kind, the same for the
// same seed.
func Generate(seed int64, docsPerKind int) []Doc {
	var docs []Doc
	for i, k := range kinds() {
		g := newGen(seed, uint64(i+1))
		for range docsPerKind {
			d := k.gen(g)
			d.Kind = k.name
			docs = append(docs, d)
		}
	}
	return docs
}

const productsEN = "Wireless Mouse|USB-C Cable 2m|Organic Green Tea 100g|Running Shoes|Noise Cancelling Headphones|Yoga Mat|Stainless Water Bottle 750ml|Phone Case|LED Desk Lamp|Cotton T-Shirt"
const productsKO = "무선 마우스|유기농 녹차 100g|러닝화|블루투스 이어폰|요가 매트|텀블러 500ml|휴대폰 케이스|LED 스탠드|면 티셔츠|전기포트"

func (g gen) product(korean bool) string {
	if korean {
		return g.pick(strings.Split(productsKO, "|")...)
	}
	return g.pick(strings.Split(productsEN, "|")...)
}

// ---- JSON orders --------------------------------------------------------------

func (g gen) indent() string { return g.pick("", "  ", "  ", "\t") }

// keyStyle renders a snake_case member name in the document's convention: many APIs use camelCase.
type keyStyle bool

func (camel keyStyle) k(snake string) string {
	if !camel {
		return snake
	}
	parts := strings.Split(snake, "_")
	for i := 1; i < len(parts); i++ {
		parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
	}
	return strings.Join(parts, "")
}

func ordersEN(g gen) Doc {
	p := g.personEN()
	ks := keyStyle(g.chance(0.4))
	customer := obj("id", nstr("uuid", g.uuid()))
	if g.chance(0.4) {
		customer.add(ks.k("first_name"), pstr(tName, p.first))
		customer.add(ks.k("last_name"), pstr(tName, p.last))
	} else {
		customer.add("name", pstr(tName, p.full))
	}
	customer.add(ks.k(g.pick("email", "email_address")), pstr(tEmail, g.email(p, false)))
	if g.chance(0.7) {
		customer.add(ks.k(g.pick("phone", "phone_number", "mobile")), pstr(tPhone, g.phoneUS()))
	} else {
		customer.add(ks.k(g.pick("phone", "phone_number", "mobile")), pstr(tPhone, g.phoneIntl()))
	}
	if g.chance(0.2) {
		customer.add(g.pick("date_of_birth", "birthDate", "dob"), pstr(tDate, g.dob(false)))
	}
	a := g.addressEN()
	recipient := p
	if g.chance(0.25) {
		recipient = g.personEN()
	}
	line1, line2 := "line1", "line2"
	if ks {
		line1, line2 = g.pick("addressLine1", "street1", "line1"), g.pick("addressLine2", "street2", "line2")
	}
	ship := obj("name", pstr(tName, recipient.full), line1, pstr(tAddress, a.street))
	if a.unit != "" {
		ship.add(line2, pstr(tAddress, a.unit))
	}
	ship.add("city", str(a.city))
	if a.region != "" {
		ship.add("state", str(a.region))
	}
	ship.add(ks.k("postal_code"), str(a.postcode))
	ship.add("country", str(a.country))

	var payment node
	if g.chance(0.75) {
		payment = obj("method", str("card"), ks.k("card_number"), pstr(tCard, g.card()), "expiry", pstr(tExpiry, g.expiry()),
			ks.k(g.pick("cardholder", "name_on_card")), pstr(tName, p.full))
	} else {
		payment = obj("method", str("sepa_debit"), "iban", pstr(tIBAN, g.iban()), ks.k("account_holder"), pstr(tName, p.full))
	}
	var items []node
	for range g.n(1, 4) {
		items = append(items, obj("sku", nstr("sku", g.sku()), "title", str(g.product(false)), "qty", lit(fmt.Sprint(g.n(1, 3))),
			"unit_price", nlit("price", fmt.Sprintf("%d.%02d", g.n(2, 300), g.n(0, 99)))))
	}
	var ip node
	if g.chance(0.7) {
		ip = pstr(tIP, g.ipv4())
	} else {
		ip = pstr(tIP, g.ipv6())
	}
	doc := obj(ks.k("order_id"), nstr("order id", g.orderID()), ks.k("created_at"), nstr("timestamp", g.isoTime()),
		"status", str(g.pick("paid", "shipped", "delivered", "refunded")), "customer", customer,
		ks.k("shipping_address"), ship, "payment", payment, "items", arr(items...),
		"total", nlit("price", fmt.Sprintf("%d.%02d", g.n(10, 900), g.n(0, 99))), "currency", str(g.pick("USD", "GBP", "EUR")),
		"shipment", obj("carrier", str(g.pick("UPS", "USPS", "FedEx", "DHL")), "tracking_number", nstr("tracking number", g.tracking())),
		"client", obj("ip", ip, "app_version", nstr("version", g.version())))
	if g.chance(0.15) {
		doc.add("gift_card", nstr("card failing Luhn", g.badCard()))
	}
	if g.chance(0.3) {
		doc.add("notes", str(g.pick("Leave at the front desk", "Gift wrap please", "Ring the bell twice")))
	}
	doc.add("etag", nstr("hash", g.hash()))
	var b builder
	b.json(doc, g.indent(), 0)
	b.w("\n")
	return b.doc("", pii.FormatJSON, true)
}

func ordersKO(g gen) Doc {
	p := g.personKO()
	buyer := obj("이름", pstr(tName, p.full), "연락처", pstr(tPhone, g.phoneKR()), "이메일", pstr(tEmail, g.email(p, true)))
	if g.chance(0.15) {
		buyer.add("주민등록번호", pstr(tRRN, g.rrn()))
	}
	if g.chance(0.2) {
		buyer.add("생년월일", pstr(tDate, g.dob(true)))
	}
	a := g.addressKO()
	recipient := p
	if g.chance(0.3) {
		recipient = g.personKO()
	}
	ship := obj("수령인", pstr(tName, recipient.full), "연락처", pstr(tPhone, g.phoneKR()), "주소", pstr(tAddress, a.full),
		"우편번호", str(a.postcode), "배송메모", str(g.pick("문 앞에 놓아주세요", "부재 시 경비실에 맡겨주세요", "배송 전 연락 바랍니다")))
	var items []node
	for range g.n(1, 3) {
		items = append(items, obj("상품코드", nstr("sku", g.sku()), "상품명", str(g.product(true)), "수량", lit(fmt.Sprint(g.n(1, 3))),
			"가격", nlit("price", fmt.Sprint(g.n(5, 300)*100))))
	}
	pay := obj("수단", str("신용카드"), "카드번호", pstr(tCard, g.card()), "할부", str(g.pick("일시불", "3개월")),
		"결제금액", nlit("price", fmt.Sprint(g.n(10, 900)*100)))
	doc := obj("주문번호", nstr("order id", g.orderID()), "주문일시", nstr("timestamp", g.isoTime()), "주문자", buyer,
		"배송지", ship, "결제", pay, "상품", arr(items...),
		"운송장번호", nstr("tracking number", g.tracking()),
		"판매자", obj("상호", str(g.pick("(주)한빛상사", "초록마켓", "서울리빙")), "사업자등록번호", pstr(tBRN, g.brn())))
	var b builder
	b.json(doc, g.indent(), 0)
	b.w("\n")
	return b.doc("", pii.FormatJSON, true)
}

// ---- NDJSON clickstream ---------------------------------------------------------

func clickstream(g gen) Doc {
	var b builder
	anon := g.uuid()
	session := g.hash()
	p := g.personEN()
	korean := g.chance(0.3)
	if korean {
		p = g.personKO()
	}
	email := g.email(p, korean)
	ip := g.ipv4()
	if g.chance(0.3) {
		ip = g.ipv6()
	}
	for range g.n(8, 20) {
		ev := g.pick("page_view", "page_view", "add_to_cart", "search", "login", "password_reset", "checkout", "iot_ping")
		e := obj("event_id", nstr("uuid", g.uuid()), "ts", nlit("epoch millis", g.epochMillis()), "type", str(ev),
			"anonymous_id", nstr("uuid", anon), "session_id", nstr("hash", session), "ip", pstr(tIP, ip))
		if g.chance(0.2) { // the proxy chain, as load balancers forward it
			e.add("x_forwarded_for", segs(pc(tIP, ip), c(", "), pc(tIP, g.ipv4())))
		}
		props := obj()
		pageURL := "https://shop.example.com/products/" + strings.ToLower(g.sku())
		var page node
		switch ev {
		case "login":
			props.add("email", pstr(tEmail, email))
			props.add("method", str(g.pick("password", "google", "kakao")))
			page = str("https://shop.example.com/login")
		case "password_reset":
			// PII inside a query string, percent-encoded as browsers send it.
			page = segs(c("https://shop.example.com/account/reset?email="), pc(tEmail, url.QueryEscape(email)),
				c("&token="), nc("hash", g.from(lowerHex, 24)))
		case "search":
			props.add("query", str(g.pick("wireless mouse", "green tea", "러닝화", "usb c cable", "gift for dad")))
			page = str("https://shop.example.com/search")
		case "checkout":
			props.add("order_id", nstr("order id", g.orderID()))
			props.add("revenue", nlit("price", fmt.Sprintf("%d.%02d", g.n(5, 500), g.n(0, 99))))
			page = str("https://shop.example.com/checkout/complete")
		case "iot_ping":
			props.add("device_mac", pstr(tMAC, g.mac()))
			props.add("firmware", nstr("version", g.version()))
			page = str("")
		default:
			props.add("sku", nstr("sku", g.sku()))
			page = str(pageURL)
		}
		e.add("page", page)
		e.add("properties", props)
		e.add("app_version", nstr("version", g.version()))
		b.json(e, "", 0)
		b.w("\n")
	}
	return b.doc("", pii.FormatNDJSON, true)
}
