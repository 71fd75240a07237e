package e2e

import (
	"bytes"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// TestCLIHighLevel drives `aws s3 mb/cp/ls/sync/mv/rm/rb` through one bucket.
func TestCLIHighLevel(t *testing.T) {
	t.Parallel()
	s := sharedServer(t)
	dir := t.TempDir()
	b := uniqueBucket("cli-hl")
	bucketURL := "s3://" + b

	out := s.aws(t, "s3", "mb", bucketURL)
	if !strings.Contains(out, "make_bucket: "+b) {
		t.Errorf("s3 mb output: %q", out)
	}
	if out := s.aws(t, "s3", "ls"); !strings.Contains(out, " "+b+"\n") && !strings.HasSuffix(strings.TrimSpace(out), " "+b) {
		t.Errorf("s3 ls does not list %s:\n%s", b, out)
	}

	small := randomBytes(11, 100_000)
	smallPath := writeFile(t, filepath.Join(dir, "small.bin"), small)

	t.Run("cp up and down", func(t *testing.T) {
		s.aws(t, "s3", "cp", smallPath, bucketURL+"/docs/small.bin")
		out := s.aws(t, "s3", "ls", bucketURL+"/docs/")
		if !strings.Contains(out, "100000 small.bin") {
			t.Errorf("s3 ls %s/docs/: %q", bucketURL, out)
		}
		out = s.aws(t, "s3", "ls", bucketURL+"/")
		if !strings.Contains(out, "PRE docs/") {
			t.Errorf("s3 ls %s/ should show PRE docs/: %q", bucketURL, out)
		}
		down := filepath.Join(dir, "small.down")
		s.aws(t, "s3", "cp", bucketURL+"/docs/small.bin", down)
		if !bytes.Equal(readFile(t, down), small) {
			t.Errorf("downloaded bytes differ")
		}
	})

	tree := map[string][]byte{
		"a.txt":               []byte("alpha\n"),
		"empty.txt":           {},
		"sub/b.txt":           randomBytes(12, 3000),
		"sub/deeper/c d.txt":  randomBytes(13, 70_000),
		"été/ü+x=1.txt":       []byte("unicode and plus\n"),
		"big/nine-mib.bin":    randomBytes(14, 9<<20+123), // multipart inside sync
		"odd/100% (1)~!.json": []byte(`{"ok":true}`),
	}
	treeDir := filepath.Join(dir, "tree")
	writeTree(t, treeDir, tree)

	t.Run("sync up, incremental, down", func(t *testing.T) {
		out := s.aws(t, "s3", "sync", treeDir, bucketURL+"/tree/")
		if n := strings.Count(out, "upload:"); n != len(tree) {
			t.Errorf("first sync uploaded %d files, want %d:\n%s", n, len(tree), out)
		}
		listing := s.aws(t, "s3", "ls", "--recursive", bucketURL+"/tree/")
		for name, data := range tree {
			if !strings.Contains(listing, itoa(len(data))+" tree/"+name) {
				t.Errorf("s3 ls --recursive lacks %q (%d bytes):\n%s", name, len(data), listing)
			}
		}
		if out := s.aws(t, "s3", "sync", treeDir, bucketURL+"/tree/"); strings.Contains(out, "upload:") {
			t.Errorf("second sync re-uploaded unchanged files:\n%s", out)
		}
		tree["sub/b.txt"] = randomBytes(15, 4321)
		writeTree(t, treeDir, map[string][]byte{"sub/b.txt": tree["sub/b.txt"]})
		out = s.aws(t, "s3", "sync", treeDir, bucketURL+"/tree/")
		if strings.Count(out, "upload:") != 1 || !strings.Contains(out, "sub/b.txt") {
			t.Errorf("sync after one change should upload only sub/b.txt:\n%s", out)
		}
		downDir := filepath.Join(dir, "tree-down")
		s.aws(t, "s3", "sync", bucketURL+"/tree/", downDir)
		got := readTree(t, downDir)
		compareTrees(t, got, tree)
	})

	t.Run("mv", func(t *testing.T) {
		s.aws(t, "s3", "mv", bucketURL+"/docs/small.bin", bucketURL+"/moved/small.bin")
		local := writeFile(t, filepath.Join(dir, "to-move.txt"), []byte("moving\n"))
		s.aws(t, "s3", "mv", local, bucketURL+"/moved/to-move.txt")
		if _, err := os.Stat(local); !os.IsNotExist(err) {
			t.Errorf("s3 mv left the local file behind (%v)", err)
		}
		back := filepath.Join(dir, "moved-back.txt")
		s.aws(t, "s3", "mv", bucketURL+"/moved/to-move.txt", back)
		if string(readFile(t, back)) != "moving\n" {
			t.Errorf("mv down: wrong content")
		}
		listing := s.aws(t, "s3", "ls", "--recursive", bucketURL+"/")
		if strings.Contains(listing, "docs/small.bin") || strings.Contains(listing, "to-move.txt") ||
			!strings.Contains(listing, itoa(len(small))+" moved/small.bin") {
			t.Errorf("after the moves, want only moved/small.bin of docs/ and moved/:\n%s", listing)
		}
	})

	t.Run("rm and rb", func(t *testing.T) {
		s.aws(t, "s3", "rm", bucketURL+"/moved/small.bin")
		s.awsFail(t, "404", "s3api", "head-object", "--bucket", b, "--key", "moved/small.bin")
		s.awsFail(t, "BucketNotEmpty", "s3", "rb", bucketURL)
		out := s.aws(t, "s3", "rm", "--recursive", bucketURL+"/tree/")
		if n := strings.Count(out, "delete:"); n != len(tree) {
			t.Errorf("rm --recursive deleted %d, want %d:\n%s", n, len(tree), out)
		}
		if out := s.aws(t, "s3", "ls", "--recursive", bucketURL+"/"); strings.TrimSpace(out) != "" {
			t.Errorf("bucket not empty after rm --recursive:\n%s", out)
		}
		s.aws(t, "s3", "cp", smallPath, bucketURL+"/again.bin")
		s.aws(t, "s3", "rb", "--force", bucketURL)
		s.awsFail(t, "404", "s3api", "head-bucket", "--bucket", b)
	})
}

// TestCLIPresignCurl: `aws s3 presign` (SigV2 by default, spec A4) fetched
// with curl; an expired and a tampered URL are refused with 403.
func TestCLIPresignCurl(t *testing.T) {
	t.Parallel()
	s := sharedServer(t)
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Fatalf("curl is required: %v", err)
	}
	dir := t.TempDir()
	b := uniqueBucket("cli-presign")
	s.aws(t, "s3", "mb", "s3://"+b)
	data := randomBytes(21, 200_000)
	src := writeFile(t, filepath.Join(dir, "src.bin"), data)
	key := "dir/a b+c=d~e/été (1).bin"
	s.aws(t, "s3", "cp", src, "s3://"+b+"/"+key)

	presigned := strings.TrimSpace(s.aws(t, "s3", "presign", "s3://"+b+"/"+key))
	u, err := url.Parse(presigned)
	if err != nil {
		t.Fatalf("presign output %q: %v", presigned, err)
	}
	q := u.Query()
	if q.Get("AWSAccessKeyId") == "" || q.Get("Signature") == "" || q.Get("Expires") == "" {
		t.Errorf("expected a SigV2 presigned URL (aws CLI default), got %s", presigned)
	}

	t.Run("curl GET", func(t *testing.T) {
		out := filepath.Join(dir, "curl.out")
		cmd := exec.Command(curl, "-sS", "--fail-with-body", "-o", out, presigned)
		cmd.Env = cleanEnv()
		if msg, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("curl %s: %v %s\nbody: %s", presigned, err, msg, truncate(string(readFileMaybe(out)), 500))
		}
		if !bytes.Equal(readFile(t, out), data) {
			t.Errorf("curl body differs from the uploaded object")
		}
	})

	t.Run("expired", func(t *testing.T) {
		short := strings.TrimSpace(s.aws(t, "s3", "presign", "--expires-in", "1", "s3://"+b+"/"+key))
		time.Sleep(2500 * time.Millisecond)
		status, body := curlStatus(t, curl, short)
		if status != 403 || !strings.Contains(body, "<Code>AccessDenied</Code>") {
			t.Errorf("expired presigned GET: want 403 AccessDenied, got %d %s", status, truncate(body, 300))
		}
	})

	t.Run("tampered signature", func(t *testing.T) {
		q := u.Query()
		sig := q.Get("Signature")
		q.Set("Signature", "A"+sig[1:])
		if sig[0] == 'A' {
			q.Set("Signature", "B"+sig[1:])
		}
		bad := *u
		bad.RawQuery = q.Encode()
		status, body := curlStatus(t, curl, bad.String())
		if status != 403 || !strings.Contains(body, "<Code>SignatureDoesNotMatch</Code>") {
			t.Errorf("tampered presigned GET: want 403 SignatureDoesNotMatch, got %d %s", status, truncate(body, 300))
		}
	})
}

func curlStatus(t *testing.T, curl, target string) (int, string) {
	t.Helper()
	cmd := exec.Command(curl, "-sS", "-w", "\n%{http_code}", target)
	cmd.Env = cleanEnv()
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("curl %s: %v", target, err)
	}
	text := string(out)
	i := strings.LastIndexByte(text, '\n')
	code := 0
	for _, c := range text[i+1:] {
		code = code*10 + int(c-'0')
	}
	return code, text[:i]
}

func readFileMaybe(path string) []byte {
	data, _ := os.ReadFile(path)
	return data
}

func writeTree(t *testing.T, root string, files map[string][]byte) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, p, data)
	}
}

func readTree(t *testing.T, root string) map[string][]byte {
	t.Helper()
	got := map[string][]byte{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		got[filepath.ToSlash(rel)] = readFile(t, p)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func compareTrees(t *testing.T, got, want map[string][]byte) {
	t.Helper()
	var names []string
	for n := range want {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		g, ok := got[n]
		if !ok {
			t.Errorf("missing %q after sync down", n)
			continue
		}
		if !bytes.Equal(g, want[n]) {
			t.Errorf("%q differs after sync down (%d vs %d bytes)", n, len(g), len(want[n]))
		}
	}
	for n := range got {
		if _, ok := want[n]; !ok {
			t.Errorf("unexpected file %q after sync down", n)
		}
	}
}
