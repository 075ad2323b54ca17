package keys

import (
	"os"
	"path/filepath"
	"testing"
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
