package piieval

import (
	"fmt"

	"github.com/tributary-dev/tributary/internal/pii"
)

// Identity-verification (KYC) records and payroll exports: the documents that
// carry national identifiers, passports, licences and bank accounts.

func kycEN(g gen) Doc {
	p, a := g.personEN(), g.addressEN()
	dl, state := g.driverUS()
	applicant := obj("applicant_id", nstr("uuid", g.uuid()), "full_name", pstr(tName, p.full),
		"date_of_birth", pstr(tDate, g.dob(false)), "ssn", pstr(tSSN, g.ssn()),
		"email", pstr(tEmail, g.email(p, false)), "phone", pstr(tPhone, g.phoneUS()),
		"address", obj("street", pstr(tAddress, a.street), "city", str(a.city), "region", str(a.region), "postal_code", str(a.postcode)))
	docs := []node{obj("type", str("passport"), "number", pstr(tPassport, g.passportUS()), "country", str("US"),
		"expires", nstr("timestamp", fmt.Sprintf("%d-%02d-%02d", g.n(2027, 2035), g.n(1, 12), g.n(1, 28))))}
	if g.chance(0.7) {
		docs = append(docs, obj("type", str("driver_license"), "number", pstr(pii.TypeDriverID, dl), "state", str(state)))
	}
	applicant.add("documents", arr(docs...))
	doc := obj("case_id", nstr("order id", fmt.Sprintf("KYC-%d-%06d", g.n(2024, 2026), g.n(1, 999999))),
		"submitted_at", nstr("timestamp", g.isoTime()), "applicant", applicant,
		"bank", obj("routing_number", pstr(pii.TypeBankRouting, g.routing()), "account_number", pstr(tBankAcct, g.digits(g.n(8, 12)))),
		"device", obj("ip", pstr(tIP, g.ipv4()), "sdk_version", nstr("version", g.version())),
		"checks", arr(obj("id", nstr("uuid", g.uuid()), "kind", str("document"), "result", str(g.pick("clear", "consider")),
			"score", nlit("price", fmt.Sprintf("0.%02d", g.n(50, 99))))),
		"fingerprint", nstr("hash", g.hash()))
	var b builder
	b.json(doc, g.indent(), 0)
	b.w("\n")
	return b.doc("", pii.FormatJSON, true)
}

func csvHRKO(g gen) Doc {
	var b builder
	b.csvRow(",", c("사번"), c("성명"), c("주민등록번호"), c("휴대폰"), c("주소"), c("여권번호"), c("운전면허번호"),
		c("급여계좌"), c("입사일"), c("연봉"))
	for range g.n(10, 25) {
		p, a := g.personKO(), g.addressKO()
		passport, licence := c(""), c("")
		if g.chance(0.5) {
			passport = pc(tPassport, g.passportKR())
		}
		if g.chance(0.6) {
			licence = pc(pii.TypeDriverID, g.driverKR())
		}
		b.csvRow(",", nc("order id", fmt.Sprintf("E%06d", g.n(1, 999999))), pc(tName, p.full), pc(tRRN, g.rrn()),
			pc(tPhone, g.phoneKR()), pc(tAddress, a.full), passport, licence,
			pc(tBankAcct, fmt.Sprintf("%s-%s-%s", g.digits(3), g.digits(2+g.r.IntN(2)), g.digits(6))),
			nc("timestamp", fmt.Sprintf("%d-%02d-%02d", g.n(2005, 2026), g.n(1, 12), g.n(1, 28))),
			nc("price", fmt.Sprint(g.n(28, 150)*1000000)))
	}
	return b.doc("", pii.FormatCSV, true)
}
