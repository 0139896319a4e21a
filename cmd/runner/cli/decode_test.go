package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var decodeUpdate = flag.Bool("decode.update", false, "rewrite testdata/decode/*.golden")

// Each testdata/decode/NAME.txt decodes to NAME.golden; -decode.update
// rewrites the golden files.
func TestDecodeGolden(t *testing.T) {
	for _, name := range []string{"frames", "errors", "python", "secrets", "bad"} {
		t.Run(name, func(t *testing.T) {
			in := filepath.Join("testdata", "decode", name+".txt")
			code, out, errOut := runCLI("decode", in)
			require.Equal(t, 0, code, errOut)
			assert.Empty(t, errOut)
			for i, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
				require.True(t, json.Valid([]byte(l)), "output line %d is one JSON object: %s", i+1, l)
			}
			golden := filepath.Join("testdata", "decode", name+".golden")
			if *decodeUpdate {
				require.NoError(t, os.WriteFile(golden, []byte(out), 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err)
			assert.Equal(t, string(want), out)
		})
	}
}

// decodeLines decodes lines given in the test and returns the printed objects.
func decodeLines(t *testing.T, lines ...string) []map[string]any {
	t.Helper()
	var buf bytes.Buffer
	d := newDecodeStream(&buf)
	require.NoError(t, d.decodeAll(strings.NewReader(strings.Join(lines, "\n"))))
	var out []map[string]any
	sc := bufio.NewScanner(&buf)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var m map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &m), sc.Text())
		out = append(out, m)
	}
	return out
}

func TestDecodeLineForms(t *testing.T) {
	for _, c := range []struct {
		name string
		line string
		want map[string]any // fields that must match
	}{
		{"plain open", "o", map[string]any{"type": "open"}},
		{"bytes heartbeat", "b'h'", map[string]any{"type": "heartbeat", "from": "server"}},
		{"client heartbeat", "[]", map[string]any{"type": "heartbeat", "from": "client"}},
		{"close", `c[3000,"Go away!"]`, map[string]any{"type": "close", "code": 3000.0, "reason": "Go away!"}},
		{"bytes with \\' and \\x", `b'a[{"s":400,"i":1,"d":"can\'t \xc3\xa9"}]'`, map[string]any{"status": 400.0, "error": "tradovate: status 400: can't é"}},
		{"bytes in double quotes", `b"a[{\"s\":200,\"i\":1}]"`, map[string]any{"type": "response", "ok": true}},
		{"python repr", `[{'s': 401, 'i': 2, 'd': 'Access is denied'}]`, map[string]any{"status": 401.0, "error_type": "StatusError"}},
		{"python repr keywords", `{'e': 'props', 'd': {'entityType': 'fill', 'eventType': 'Deleted', 'entity': {'active': True, 'x': None, 'y': False}}}`, map[string]any{"entity_type": "fill", "event_type": "Deleted"}},
		{"python str request", `'order/cancelorder\n9\n\n{"orderId":1}'`, map[string]any{"type": "request", "endpoint": "order/cancelorder", "id": 9.0}},
		{"json string frame", `"a[{\"s\":200,\"i\":4}]"`, map[string]any{"type": "response", "id": 4.0}},
		{"escaped request", `account/list\n3\n\nundefined`, map[string]any{"type": "request", "endpoint": "account/list"}},
		{"log prefix", `12:00:01.002 < b'a[{"s":200,"i":5}]'`, map[string]any{"type": "response", "id": 5.0}},
		{"bare message", `{"i":0,"s":401,"d":"Invalid access token"}`, map[string]any{"status": 401.0, "id": 0.0}},
		{"bare body", `{"failureReason":"UnknownReason","failureText":"Access is denied"}`, map[string]any{"type": "body", "error_type": "FailureError"}},
		{"success body", `{"orderId":123}`, map[string]any{"type": "body", "ok": true}},
		{"replay clock as object", `a[{"e":"clock","d":{"t":"2019-08-26T16:43:08.599Z","s":20}}]`, map[string]any{"event": "clock"}},
		{"unknown event", `a[{"e":"someday","d":{"x":1}}]`, map[string]any{"type": "event", "event": "someday"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := decodeLines(t, c.line)
			require.Len(t, out, 1)
			for k, v := range c.want {
				assert.Equal(t, v, out[0][k], "%s in %v", k, out[0])
			}
			assert.Equal(t, 1.0, out[0]["line"])
		})
	}
}

// Line numbers count every input line, blank and comment lines too, and a
// bad line does not stop the ones after it.
func TestDecodeContinuesAfterErrors(t *testing.T) {
	out := decodeLines(t, "# comment", "", "nonsense", "a[{", "h", "\r", "o")
	require.Len(t, out, 4)
	assert.Equal(t, []any{3.0, 4.0, 5.0, 7.0}, []any{out[0]["line"], out[1]["line"], out[2]["line"], out[3]["line"]})
	assert.NotEmpty(t, out[0]["error"])
	assert.NotEmpty(t, out[1]["error"])
	assert.Equal(t, "heartbeat", out[2]["type"])
	assert.Equal(t, "open", out[3]["type"])
}

// The quote decoder's state carries across lines: a volume rise on a
// later line is a trade.
func TestDecodeQuotesAcrossLines(t *testing.T) {
	q := func(vol, px string) string {
		return `a[{"e":"md","d":{"quotes":[{"timestamp":"2026-03-04T15:00:00.000Z","contractId":7,"entries":{"Bid":{"price":100,"size":1},"Offer":{"price":100.25,"size":1},"TotalTradeVolume":{"size":` + vol + `},"Trade":{"price":` + px + `}}}]}}]`
	}
	out := decodeLines(t, q("10", "100"), q("14", "100.25"))
	require.Len(t, out, 2)
	first := out[0]["ticks"].([]any)[0].(map[string]any)
	assert.Nil(t, first["price"], "first sight is no trade")
	second := out[1]["ticks"].([]any)[0].(map[string]any)
	assert.Equal(t, 100.25, second["price"])
	assert.Equal(t, 4.0, second["size"])
	assert.Equal(t, "Buy", second["aggressor"])
}

// No secret in any form reaches the output.
func TestDecodeNeverPrintsSecrets(t *testing.T) {
	in, err := os.ReadFile(filepath.Join("testdata", "decode", "secrets.txt"))
	require.NoError(t, err)
	code, out, errOut := runCLI("decode", filepath.Join("testdata", "decode", "secrets.txt"))
	require.Equal(t, 0, code, errOut)
	n := 0
	for _, w := range strings.FieldsFunc(string(in), func(r rune) bool {
		return !(r == '-' || r == '_' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	}) {
		for _, mark := range []string{"SECRET", "uST01"} {
			if i := strings.Index(w, mark); i >= 0 {
				n++
				assert.NotContains(t, out, w[i:])
			}
		}
	}
	assert.GreaterOrEqual(t, n, 12, "the fixture has secrets to hide")
	assert.Equal(t, 3, strings.Count(out, `"endpoint":"authorize","body":"***"`))
}

func TestDecodeRedact(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`{"a":1,"accessToken":"x","b":[{"SEC":{"deep":1}},{"password":null}]}`, `{"a":1,"accessToken":"***","b":[{"SEC":"***"},{"password":"***"}]}`},
		{`[1, 2.50, "s", true, null, {}]`, `[1,2.50,"s",true,null,{}]`},
		{`{"mdAccessToken":"x"}`, `{"mdAccessToken":"***"}`},
	} {
		got := decRedact([]byte(c.in))
		raw, ok := got.(json.RawMessage)
		require.True(t, ok, c.in)
		assert.Equal(t, c.want, string(raw))
	}
	assert.Equal(t, "undefined", decRedact([]byte("undefined")), "a body that is not JSON stays text")
}

func TestDecodePython(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`{'a': 'it\'s', "b": "x\"y", 'c': (1, 2), 'd': b'\x00\xff'}`, `{"a": "it's", "b": "x\"y", "c": [1, 2], "d": "\u0000` + "\xff" + `"}`},
		{`[True, False, None, -1.5e3, r'\n', u'\u00e9']`, `[true, false, null, -1.5e3, "\\n", "é"]`},
	} {
		got, err := decPyToJSON([]byte(c.in))
		require.NoError(t, err, c.in)
		assert.Equal(t, c.want, string(got), c.in)
	}
	for _, bad := range []string{`{'a': set()}`, `['x`, `[nan]`, `{'a': @}`} {
		_, err := decPyToJSON([]byte(bad))
		assert.Error(t, err, bad)
	}
	for _, c := range []struct {
		in, want string
		str      bool
	}{
		{`a\nb\tc\\d\'e\"f`, "a\nb\tc\\d'e\"f", false},
		{`\x41\101\0`, "AA\x00", false},
		{`\u00e9\U0001F600`, "é😀", true},
		{`\u00e9`, `\u00e9`, false},
		{`\q`, `\q`, true},
	} {
		got, err := decPyUnescape([]byte(c.in), c.str)
		require.NoError(t, err, c.in)
		assert.Equal(t, c.want, string(got), c.in)
	}
	for _, bad := range []string{`\x4`, `\xzz`, `abc\`, `\u12`, `\UFFFFFFFF`} {
		_, err := decPyUnescape([]byte(bad), true)
		assert.Error(t, err, bad)
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

// Exit status: 0 however many lines fail, 1 when input cannot be read, 2
// for bad usage.
func TestDecodeExitStatus(t *testing.T) {
	code, _, errOut := runCLI("decode", filepath.Join(t.TempDir(), "missing.txt"))
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "missing.txt")

	code, _, _ = runCLI("decode", "-nope")
	assert.Equal(t, 2, code)

	code, out, _ := runCLI("decode", "-h")
	assert.Equal(t, 0, code)
	assert.Empty(t, out)

	err := newDecodeStream(&bytes.Buffer{}).decodeAll(failingReader{})
	assert.ErrorContains(t, err, "disk on fire")

	// stdin, as the command reads it with no file (and for "-").
	f, err := os.CreateTemp(t.TempDir(), "stdin")
	require.NoError(t, err)
	_, err = f.WriteString("o\nnot a frame\n")
	require.NoError(t, err)
	_, err = f.Seek(0, 0)
	require.NoError(t, err)
	old := os.Stdin
	os.Stdin = f
	t.Cleanup(func() { os.Stdin = old; f.Close() })
	code, out, errOut = runCLI("decode")
	assert.Equal(t, 0, code, errOut)
	assert.Equal(t, 2, strings.Count(out, "\n"))
	assert.Contains(t, out, `"line":2,"error":`)

	code, out, _ = runCLI("help")
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "decode")
}

// FuzzDecodeLine: no line panics runner decode, and every line of output
// is one JSON object.
func FuzzDecodeLine(f *testing.F) {
	for _, s := range []string{"o", `b'a[{"s":200,"i":0}]'`, `[{'s': 401, 'i': 2, 'd': 'x'}]`, `authorize\n0\n\ntok`, `"a[]"`, `b'\x`, `{'a': (1,`, `x: c[1,"r"]`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		var buf bytes.Buffer
		if err := newDecodeStream(&buf).decodeAll(strings.NewReader(line)); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(&buf)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			if !json.Valid(sc.Bytes()) {
				t.Fatalf("output %q is not JSON", sc.Bytes())
			}
		}
	})
}
