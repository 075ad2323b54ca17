package keys

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/tink-crypto/tink-go/v2/keyset"
	"github.com/tink-crypto/tink-go/v2/streamingaead"
)

func TestKeyFileIsCreatedPrivateAndReloads(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "haven.keys")
	k, created, err := LoadOrCreate(path)
	if err != nil || !created {
		t.Fatalf("LoadOrCreate = %v, %v", created, err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, want 0600", st.Mode().Perm())
	}
	ct, err := k.Encrypt([]byte("JBSWY3DPEHPK3PXP"), []byte("user:1:totp"))
	if err != nil {
		t.Fatal(err)
	}
	tag, _ := k.Seal([]byte("entry"))

	k2, created, err := LoadOrCreate(path)
	if err != nil || created {
		t.Fatalf("second LoadOrCreate = %v, %v", created, err)
	}
	pt, err := k2.Decrypt(ct, []byte("user:1:totp"))
	if err != nil || string(pt) != "JBSWY3DPEHPK3PXP" {
		t.Fatalf("reloaded keys do not open the secret: %q %v", pt, err)
	}
	if _, err := k2.Decrypt(ct, []byte("user:2:totp")); err == nil {
		t.Fatal("a secret opened under another record's associated data")
	}
	if err := k2.Verify(tag, []byte("entry")); err != nil {
		t.Fatalf("reloaded MAC does not verify: %v", err)
	}
	if err := k2.Verify(tag, []byte("entrx")); err == nil {
		t.Fatal("MAC verified altered data")
	}
}

func TestRotationKeepsOldSecretsReadable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "haven.keys")
	k, _, err := LoadOrCreate(path)
	if err != nil {
		t.Fatal(err)
	}
	old, _ := k.Encrypt([]byte("before"), nil)
	oldTag, _ := k.Seal([]byte("a"))
	r, err := k.Rotate()
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Save(path); err != nil {
		t.Fatal(err)
	}
	r2, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if pt, err := r2.Decrypt(old, nil); err != nil || string(pt) != "before" {
		t.Fatalf("old ciphertext after rotation: %q %v", pt, err)
	}
	if err := r2.Verify(oldTag, []byte("a")); err != nil {
		t.Fatalf("old MAC after rotation: %v", err)
	}
	// New data is protected with the new key: the old keys cannot open it.
	fresh, _ := r2.Encrypt([]byte("after"), nil)
	if _, err := k.Decrypt(fresh, nil); err == nil {
		t.Fatal("pre-rotation keys opened data sealed after rotation")
	}
}

func TestLoadRefusesAForeignFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x")
	os.WriteFile(path, []byte(`{"hello":1}`), 0o600)
	if _, err := Load(path); err == nil {
		t.Fatal("loaded a file that is not a key file")
	}
}

func TestFilesEncryptAndOpenOnlyWithTheirAssociatedData(t *testing.T) {
	k, err := New()
	if err != nil {
		t.Fatal(err)
	}
	plain := bytes.Repeat([]byte("benign synthetic attachment text. "), 100000) // > 1 MiB: several segments
	var ct bytes.Buffer
	w, err := k.EncryptingWriter(&ct, []byte("attachment:7"))
	if err != nil {
		t.Fatal(err)
	}
	w.Write(plain)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(ct.Bytes(), []byte("benign synthetic")) {
		t.Fatal("plaintext visible in the ciphertext")
	}
	r, _ := k.DecryptingReader(bytes.NewReader(ct.Bytes()), []byte("attachment:7"))
	got, err := io.ReadAll(r)
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("round trip: %d bytes, %v", len(got), err)
	}
	r, _ = k.DecryptingReader(bytes.NewReader(ct.Bytes()), []byte("attachment:8"))
	if _, err := io.ReadAll(r); err == nil {
		t.Fatal("a file opened under another record's associated data")
	}
	bad := append([]byte(nil), ct.Bytes()...)
	bad[len(bad)/2] ^= 1
	r, _ = k.DecryptingReader(bytes.NewReader(bad), []byte("attachment:7"))
	if _, err := io.ReadAll(r); err == nil {
		t.Fatal("a tampered file opened")
	}
}

func TestAKeyFileWithoutAStreamingKeyGetsOne(t *testing.T) {
	path := filepath.Join(t.TempDir(), "haven.keys")
	k, _, err := LoadOrCreate(path)
	if err != nil {
		t.Fatal(err)
	}
	secret, _ := k.Encrypt([]byte("s"), nil)
	// Rewrite the file as the first release wrote it: no "stream" keyset.
	var f map[string]json.RawMessage
	b, _ := os.ReadFile(path)
	json.Unmarshal(b, &f)
	delete(f, "stream")
	b, _ = json.Marshal(f)
	os.WriteFile(path, b, 0o600)

	k2, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if pt, err := k2.Decrypt(secret, nil); err != nil || string(pt) != "s" {
		t.Fatalf("old secret after upgrade: %v", err)
	}
	b, _ = os.ReadFile(path)
	if !bytes.Contains(b, []byte(`"stream"`)) {
		t.Fatal("the upgraded key file was not saved with its streaming key")
	}
}

func TestBlindIndexIsStableAcrossReloadAndRotation(t *testing.T) {
	path := filepath.Join(t.TempDir(), "haven.keys")
	k, _, err := LoadOrCreate(path)
	if err != nil {
		t.Fatal(err)
	}
	a := k.BlindIndex([]byte("phone\x00\x00+12025550147"))
	if len(a) != 32 {
		t.Fatalf("index MAC is %d bytes, want 32 (HMAC-SHA256 without a key-id prefix)", len(a))
	}
	if !bytes.Equal(a, k.BlindIndex([]byte("phone\x00\x00+12025550147"))) {
		t.Fatal("the same value gave two index MACs")
	}
	if bytes.Equal(a, k.BlindIndex([]byte("phone\x00\x00+12025550148"))) {
		t.Fatal("two values gave one index MAC")
	}
	k2, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, k2.BlindIndex([]byte("phone\x00\x00+12025550147"))) {
		t.Fatal("the index MAC changed when the key file was loaded again")
	}
	r, err := k2.Rotate()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, r.BlindIndex([]byte("phone\x00\x00+12025550147"))) {
		t.Fatal("rotating the other keys changed the index MAC: every identifier would miss its index entry")
	}
	other, _ := New()
	if bytes.Equal(a, other.BlindIndex([]byte("phone\x00\x00+12025550147"))) {
		t.Fatal("another key file gave the same index MAC")
	}
}

func TestAKeyFileWithoutAnIndexKeyGetsOne(t *testing.T) {
	path := filepath.Join(t.TempDir(), "haven.keys")
	k, _, err := LoadOrCreate(path)
	if err != nil {
		t.Fatal(err)
	}
	secret, _ := k.Encrypt([]byte("s"), nil)
	tag, _ := k.Seal([]byte("entry"))
	// Rewrite the file as releases before linking wrote it: no "index" keyset.
	var f map[string]json.RawMessage
	b, _ := os.ReadFile(path)
	json.Unmarshal(b, &f)
	delete(f, "index")
	b, _ = json.Marshal(f)
	os.WriteFile(path, b, 0o600)

	k2, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if pt, err := k2.Decrypt(secret, nil); err != nil || string(pt) != "s" {
		t.Fatalf("old secret after upgrade: %v", err)
	}
	if err := k2.Verify(tag, []byte("entry")); err != nil {
		t.Fatalf("old audit MAC after upgrade: %v", err)
	}
	b, _ = os.ReadFile(path)
	if !bytes.Contains(b, []byte(`"index"`)) {
		t.Fatal("the upgraded key file was not saved with its index key")
	}
	k3, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(k2.BlindIndex([]byte("x")), k3.BlindIndex([]byte("x"))) {
		t.Fatal("the index key added on upgrade is not the one saved")
	}
}

// Storing or reading a small file costs kilobytes of memory, not the
// megabyte a 1 MiB segment took; and files encrypted under a key of the
// old 1 MiB template stay readable by a key file that has moved on.
func TestSmallFilesCostLittleMemoryAndOldSegmentSizesStayReadable(t *testing.T) {
	k, err := New()
	if err != nil {
		t.Fatal(err)
	}
	plain := bytes.Repeat([]byte("Moderator note (synthetic). "), 40) // about 1 KiB
	roundTrip := func(k *Keys) []byte {
		var ct bytes.Buffer
		w, err := k.EncryptingWriter(&ct, []byte("attachment:1"))
		if err != nil {
			t.Fatal(err)
		}
		w.Write(plain)
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		r, err := k.DecryptingReader(bytes.NewReader(ct.Bytes()), []byte("attachment:1"))
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(r)
		if err != nil || !bytes.Equal(got, plain) {
			t.Fatalf("round trip: %v", err)
		}
		return ct.Bytes()
	}
	roundTrip(k) // warm up
	const n = 50
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := 0; i < n; i++ {
		roundTrip(k)
	}
	runtime.ReadMemStats(&after)
	if per := (after.TotalAlloc - before.TotalAlloc) / n; per > 128<<10 {
		t.Errorf("storing and reading a 1 KiB file allocated %d KiB, want under 128 KiB", per>>10)
	}

	// A key file whose streaming key is of the old template: its files
	// open after a rotation adds a key of the new one.
	old, err := keyset.NewHandle(streamingaead.AES256GCMHKDF1MBKeyTemplate())
	if err != nil {
		t.Fatal(err)
	}
	ko, err := fromHandles(k.aeadHandle, k.macHandle, old, k.indexHandle)
	if err != nil {
		t.Fatal(err)
	}
	ct := roundTrip(ko)
	kr, err := ko.Rotate()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "haven.keys")
	if err := kr.Save(path); err != nil {
		t.Fatal(err)
	}
	if kr, _, err = LoadOrCreate(path); err != nil {
		t.Fatal(err)
	}
	r, err := kr.DecryptingReader(bytes.NewReader(ct), []byte("attachment:1"))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := io.ReadAll(r); err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("a file of the old segment size after rotation: %v", err)
	}
}
