package logs

import (
	"bytes"
	"encoding/base64"
	"strconv"
	"unicode/utf8"

	"github.com/klauspost/compress/gzip"
)

// payloadEvent is one log event of a subscription payload.
type payloadEvent struct {
	id  string
	ts  int64
	msg []byte
}

// dataMessage renders AWS's DATA_MESSAGE JSON (spec §3.6): one group, one
// stream, the filter's name and the events, members in AWS's order.
func dataMessage(owner, group, stream, filter string, events []payloadEvent) []byte {
	size := 160 + len(group) + len(stream) + len(filter)
	for i := range events {
		size += 64 + len(events[i].msg) + len(events[i].msg)/8
	}
	b := make([]byte, 0, size)
	b = append(b, `{"messageType":"DATA_MESSAGE","owner":`...)
	b = appendJSONString(b, owner)
	b = append(b, `,"logGroup":`...)
	b = appendJSONString(b, group)
	b = append(b, `,"logStream":`...)
	b = appendJSONString(b, stream)
	b = append(b, `,"subscriptionFilters":[`...)
	b = appendJSONString(b, filter)
	b = append(b, `],"logEvents":[`...)
	for i := range events {
		e := &events[i]
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"id":"`...)
		b = append(b, e.id...)
		b = append(b, `","timestamp":`...)
		b = strconv.AppendInt(b, e.ts, 10)
		b = append(b, `,"message":`...)
		b = appendJSONString(b, string(e.msg))
		b = append(b, '}')
	}
	return append(b, "]}"...)
}

// controlMessage is the CONTROL_MESSAGE a destination gets when a filter
// is created; kind names the destination ("Kinesis stream", "Firehose",
// "Lambda").
func controlMessage(kind string, now int64) []byte {
	b := []byte(`{"messageType":"CONTROL_MESSAGE","owner":"CloudwatchLogs","logGroup":"","logStream":"","subscriptionFilters":[],"logEvents":[{"id":"","timestamp":`)
	b = strconv.AppendInt(b, now, 10)
	b = append(b, `,"message":"CWL CONTROL MESSAGE: Checking health of destination `...)
	b = append(b, kind...)
	return append(b, `."}]}`...)
}

// gzipBytes compresses p with gzip at level 6, as CloudWatch Logs does.
// klauspost/compress: about twice compress/gzip's speed at the same level,
// and plain RFC 1952 output any gunzip reads.
func gzipBytes(p []byte) []byte {
	var buf bytes.Buffer
	buf.Grow(len(p)/4 + 64)
	zw, _ := gzip.NewWriterLevel(&buf, 6) // 6 is a valid level
	zw.Write(p)
	zw.Close()
	return buf.Bytes()
}

// LambdaEvent wraps a subscription payload (gzip'd JSON, as Deliver and
// Probe receive it) in the event a Lambda function subscribed to a log
// group is invoked with: {"awslogs":{"data":"<base64>"}}. The Lambda
// destination adapter calls it.
func LambdaEvent(payload []byte) []byte {
	b := make([]byte, 0, base64.StdEncoding.EncodedLen(len(payload))+24)
	b = append(b, `{"awslogs":{"data":"`...)
	b = base64.StdEncoding.AppendEncode(b, payload)
	return append(b, `"}}`...)
}

// appendJSONString appends s as a JSON string. Like AWS (Jackson), it
// escapes only what JSON requires: quotes, backslashes and control
// characters; invalid UTF-8 becomes U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i++
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
