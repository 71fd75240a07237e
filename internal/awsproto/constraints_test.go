package awsproto

import "testing"

func TestChecker(t *testing.T) {
	p := CompilePatterns(`[a-z]+`)
	str := func(s string) *string { return &s }
	i64 := func(n int64) *int64 { return &n }
	i32 := func(n int32) *int32 { return &n }
	tests := []struct {
		name  string
		check func(c *Checker)
		want  string
	}{
		{"nothing wrong", func(c *Checker) {
			c.Str(str("abc"), "name", 1, 3, `[a-z]+`)
			c.Str(nil, "other", 1, 3, `[a-z]+`)
			c.Int(i64(5), "limit", 1, 10)
			c.Int32(nil, "limit", 1, 10)
			c.Enum(str("A"), "mode", "A", "B")
			c.Required(true, "name")
		}, ""},
		{"too long and pattern", func(c *Checker) { c.Str(str("abcD"), "name", 1, 3, `[a-z]+`) },
			"2 validation errors detected: Value 'abcD' at 'name' failed to satisfy constraint: Member must have length less than or equal to 3; " +
				"Value 'abcD' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-z]+"},
		{"length counts characters", func(c *Checker) { c.Str(str("ééé"), "name", 1, 3, "") }, ""},
		{"too short", func(c *Checker) { c.Str(str(""), "name", 1, 0, "") },
			"1 validation error detected: Value '' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"missing", func(c *Checker) { c.Required(false, "streamName") },
			"1 validation error detected: Value null at 'streamName' failed to satisfy constraint: Member must not be null"},
		{"below min", func(c *Checker) { c.Int(i64(0), "limit", 1, 0) },
			"1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"unbounded max", func(c *Checker) { c.Int(i64(1<<40), "limit", 1, 0) }, ""},
		{"int32 above max", func(c *Checker) { c.Int32(i32(51), "limit", 1, 50) },
			"1 validation error detected: Value '51' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 50"},
		{"enum", func(c *Checker) { c.Enum(str("C"), "mode", "A", "B") },
			"1 validation error detected: Value 'C' at 'mode' failed to satisfy constraint: Member must satisfy enum value set: [A, B]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewChecker(p)
			tt.check(&c)
			if got := c.Message(); got != tt.want {
				t.Errorf("message\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}
