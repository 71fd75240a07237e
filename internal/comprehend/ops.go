package comprehend

import (
	"context"

	"github.com/tributary-dev/tributary/internal/awsproto"
	"github.com/tributary-dev/tributary/internal/pii"
)

// operations is the op table: botocore operation name → handler. An
// operation missing here answers UnknownOperationException.
func (s *Service) operations() map[string]opFunc {
	return map[string]opFunc{
		"DetectPiiEntities":   op(s.detectPiiEntities),
		"ContainsPiiEntities": op(s.containsPiiEntities),
	}
}

// check validates a PII request as AWS does, in AWS's order: model
// constraints (required members, Text's minimum length, the language set)
// first, then the size limit. It returns the detector for the language.
func (s *Service) check(in *piiRequest) (*pii.Detector, error) {
	var c awsproto.Checker
	if c.Required(in.Text != nil, "text") {
		c.Str(in.Text, "text", 1, 0, "")
	}
	if c.Required(in.LanguageCode != nil, "languageCode") {
		// AWS's two PII languages, then Tributary's Korean.
		c.Enum(in.LanguageCode, "languageCode", "en", "es", "ko")
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	if n := len(*in.Text); n > maxTextBytes {
		return nil, errTextTooLarge(n)
	}
	return s.detectors[*in.LanguageCode], nil
}

func (s *Service) detectPiiEntities(_ context.Context, in *piiRequest) (*detectPiiEntitiesOutput, error) {
	d, err := s.check(in)
	if err != nil {
		return nil, err
	}
	text := *in.Text
	ents := d.Detect(text)
	spans := pii.CodePointSpans(text, ents)
	out := &detectPiiEntitiesOutput{Entities: make([]piiEntity, len(ents))}
	for i, e := range ents {
		out.Entities[i] = piiEntity{Score: score(e.Score), Type: e.Type, BeginOffset: spans[i].Begin, EndOffset: spans[i].End}
	}
	return out, nil
}

func (s *Service) containsPiiEntities(_ context.Context, in *piiRequest) (*containsPiiEntitiesOutput, error) {
	d, err := s.check(in)
	if err != nil {
		return nil, err
	}
	labels := d.Labels(*in.Text)
	out := &containsPiiEntitiesOutput{Labels: make([]entityLabel, len(labels))}
	for i, l := range labels {
		out.Labels[i] = entityLabel{Name: l.Name, Score: score(l.Score)}
	}
	return out, nil
}
