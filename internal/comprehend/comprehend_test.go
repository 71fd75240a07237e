package comprehend

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tributary-dev/tributary/internal/awsproto"
)

// call runs one operation through Handle and renders errors as the server
// does; it returns the status, the X-Amzn-ErrorType (or "") and the body.
func call(t *testing.T, s *Service, operation, body string) (int, string, map[string]any) {
	t.Helper()
	rt := awsproto.Route{Service: "comprehend", Operation: operation, Protocol: awsproto.ProtocolJSON11,
		JSONPrefix: "Comprehend_20171127"}
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-amz-json-1.1")
	r.Header.Set("X-Amz-Target", "Comprehend_20171127."+operation)
	w := httptest.NewRecorder()
	if err := s.Handle(w, r, rt); err != nil {
		awsproto.WriteError(w, r, rt, err)
	}
	var out map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
		t.Fatalf("%s: body is not JSON: %v: %s", operation, err, w.Body.String())
	}
	return w.Code, w.Header().Get("X-Amzn-ErrorType"), out
}

func request(text, lang string) string {
	b, _ := json.Marshal(map[string]string{"Text": text, "LanguageCode": lang})
	return string(b)
}

// TestDetectPiiEntities: types, code-point offsets (EndOffset exclusive,
// so Python's text[b:e] is the entity), sorted and non-overlapping.
func TestDetectPiiEntities(t *testing.T) {
	s := New()
	tests := []struct {
		name, text, lang string
		want             []string // "TYPE=text" in order
	}{
		{"email and phone", "Contact jane.doe@example.com or call +1 415-555-0134.", "en",
			[]string{"EMAIL=jane.doe@example.com", "PHONE=+1 415-555-0134"}},
		{"card and ssn", "Card 4111 1111 1111 1111, SSN 536-22-8841 on file.", "en",
			[]string{"CREDIT_DEBIT_NUMBER=4111 1111 1111 1111", "SSN=536-22-8841"}},
		{"code points after non-ASCII", "Ünïcødé ☃ mail: bob@example.org", "en", []string{"EMAIL=bob@example.org"}},
		{"Korean with ko", "고객 연락처: 010-1234-5678, 주민등록번호 800101-1234560", "ko",
			[]string{"PHONE=010-1234-5678", "KR_RESIDENT_REGISTRATION_NUMBER=800101-1234560"}},
		{"Spanish accepted", "Mi correo es ana@example.es", "es", []string{"EMAIL=ana@example.es"}},
		{"nothing", "The weather is nice today.", "en", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, code, out := call(t, s, "DetectPiiEntities", request(tc.text, tc.lang))
			if status != 200 || code != "" {
				t.Fatalf("status %d %s: %v", status, code, out)
			}
			ents, ok := out["Entities"].([]any)
			if !ok {
				t.Fatalf("no Entities list: %v", out)
			}
			runes := []rune(tc.text)
			var got []string
			prevEnd := 0
			for _, e := range ents {
				m := e.(map[string]any)
				b, end := int(m["BeginOffset"].(float64)), int(m["EndOffset"].(float64))
				if b < prevEnd || end <= b || end > len(runes) {
					t.Fatalf("bad offsets %d-%d (previous end %d) in %v", b, end, prevEnd, ents)
				}
				if sc := m["Score"].(float64); sc <= 0 || sc > 1 {
					t.Errorf("score %v", sc)
				}
				prevEnd = end
				got = append(got, m["Type"].(string)+"="+string(runes[b:end]))
			}
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("entities = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestContainsPiiEntities: one label per type with its best score.
func TestContainsPiiEntities(t *testing.T) {
	s := New()
	status, code, out := call(t, s, "ContainsPiiEntities",
		request("Mail a@example.com, b@example.com; card 5555 5555 5555 4444", "en"))
	if status != 200 || code != "" {
		t.Fatalf("status %d %s: %v", status, code, out)
	}
	var names []string
	for _, l := range out["Labels"].([]any) {
		m := l.(map[string]any)
		names = append(names, m["Name"].(string))
		if sc := m["Score"].(float64); sc <= 0 || sc > 1 {
			t.Errorf("score %v", sc)
		}
	}
	if got := strings.Join(names, ","); got != "CREDIT_DEBIT_NUMBER,EMAIL" {
		t.Errorf("labels = %s", got)
	}
	_, _, out = call(t, s, "ContainsPiiEntities", request("no personal data here", "en"))
	if l, ok := out["Labels"].([]any); !ok || len(l) != 0 {
		t.Errorf("labels of clean text = %v, want []", out["Labels"])
	}
}

// TestBadInput: AWS's error code, status and message for each bad request,
// for both operations.
func TestBadInput(t *testing.T) {
	s := New()
	big := strings.Repeat("a", maxTextBytes+1)
	bigKorean := strings.Repeat("가", maxTextBytes/3+1) // 33,334 characters, 100,002 bytes
	tests := []struct {
		name, body, code, msg string
	}{
		{"missing text", `{"LanguageCode":"en"}`, "ValidationException",
			"1 validation error detected: Value null at 'text' failed to satisfy constraint: Member must not be null"},
		{"missing language", `{"Text":"hi"}`, "ValidationException",
			"1 validation error detected: Value null at 'languageCode' failed to satisfy constraint: Member must not be null"},
		{"both missing", `{}`, "ValidationException", "2 validation errors detected: "},
		{"empty text", request("", "en"), "ValidationException",
			"Value '' at 'text' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"language PII detection lacks", request("hello", "fr"), "ValidationException",
			"1 validation error detected: Value 'fr' at 'languageCode' failed to satisfy constraint: Member must satisfy enum value set: [en, es, ko]"},
		{"unknown language", request("hello", "xx"), "ValidationException", "Value 'xx' at 'languageCode'"},
		{"text over 100 KB", request(big, "en"), "TextSizeLimitExceededException",
			"Input text size exceeds limit. Max length of request text allowed is 100000 bytes while in this request the text size is 100001 bytes"},
		{"limit counts UTF-8 bytes", request(bigKorean, "ko"), "TextSizeLimitExceededException",
			"while in this request the text size is 100002 bytes"},
		{"not JSON", `{"Text":`, "SerializationException", ""},
		{"wrong type", `{"Text":5,"LanguageCode":"en"}`, "SerializationException", ""},
	}
	for _, tc := range tests {
		for _, operation := range []string{"DetectPiiEntities", "ContainsPiiEntities"} {
			t.Run(tc.name+"/"+operation, func(t *testing.T) {
				status, code, out := call(t, s, operation, tc.body)
				if status != 400 || code != tc.code {
					t.Fatalf("got %d %s, want 400 %s: %v", status, code, tc.code, out)
				}
				msg, _ := out["message"].(string)
				if msg == "" {
					msg, _ = out["Message"].(string)
				}
				if !strings.Contains(msg, tc.msg) {
					t.Errorf("message %q, want it to contain %q", msg, tc.msg)
				}
			})
		}
	}
	// Exactly at the limit is accepted.
	if status, code, out := call(t, s, "DetectPiiEntities", request(big[:maxTextBytes], "en")); status != 200 {
		t.Errorf("text of exactly 100,000 bytes: %d %s %v", status, code, out)
	}
}

// TestOtherOperations: operations not built answer UnknownOperationException.
func TestOtherOperations(t *testing.T) {
	s := New()
	for _, operation := range []string{"DetectEntities", "ClassifyDocument", "StartPiiEntitiesDetectionJob"} {
		status, code, _ := call(t, s, operation, `{}`)
		if status != 400 || code != "UnknownOperationException" {
			t.Errorf("%s: %d %s", operation, status, code)
		}
	}
}

// TestScoreRendering: scores always carry a fraction, as AWS's floats do.
func TestScoreRendering(t *testing.T) {
	for _, tc := range []struct {
		in   score
		want string
	}{{1, "1.0"}, {0.85, "0.85"}, {0.9999, "0.9999"}, {0, "0.0"}} {
		b, err := tc.in.MarshalJSON()
		if err != nil || string(b) != tc.want {
			t.Errorf("score(%v) = %s, %v; want %s", float64(tc.in), b, err, tc.want)
		}
	}
}
