package comprehend

import "strconv"

// Wire shapes of the operations built (botocore comprehend/2017-11-27).
// Pointers mark required members, so absence is told from "".

type piiRequest struct {
	Text         *string `json:"Text"`
	LanguageCode *string `json:"LanguageCode"`
}

type piiEntity struct {
	Score       score  `json:"Score"`
	Type        string `json:"Type"`
	BeginOffset int    `json:"BeginOffset"`
	EndOffset   int    `json:"EndOffset"`
}

type detectPiiEntitiesOutput struct {
	Entities []piiEntity `json:"Entities"`
}

type entityLabel struct {
	Name  string `json:"Name"`
	Score score  `json:"Score"`
}

type containsPiiEntitiesOutput struct {
	Labels []entityLabel `json:"Labels"`
}

// score is a confidence. It always renders with a fraction ("1.0", not "1"),
// as AWS's Float members do, so boto3 hands programs a float every time.
type score float64

func (s score) MarshalJSON() ([]byte, error) {
	b := strconv.AppendFloat(nil, float64(s), 'f', -1, 64)
	for _, c := range b {
		if c == '.' {
			return b, nil
		}
	}
	return append(b, '.', '0'), nil
}
