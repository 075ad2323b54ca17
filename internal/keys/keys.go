// Package keys holds Haven's secret keys: the key file, the AEAD that
// encrypts small secrets at rest (TOTP secrets, fields), the streaming AEAD
// that encrypts files, the MAC that seals the audit chain, and the MAC of
// the blind index that identifiers are linked by. It uses Tink keysets so
// that keys can be rotated: new data is protected with the primary key while
// older keys still open what they protected. The blind-index key is the
// exception: see BlindIndex.
//
// The key file lives outside the database (flag --key-file), so a copy of
// the database alone reveals no secret and cannot forge an audit chain.
package keys

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/tink-crypto/tink-go/v2/aead"
	"github.com/tink-crypto/tink-go/v2/insecurecleartextkeyset"
	"github.com/tink-crypto/tink-go/v2/keyset"
	"github.com/tink-crypto/tink-go/v2/mac"
	tinkpb "github.com/tink-crypto/tink-go/v2/proto/tink_go_proto"
	"github.com/tink-crypto/tink-go/v2/streamingaead"
	"github.com/tink-crypto/tink-go/v2/tink"
)

const format = "haven-keys/1"

// file is the key file's JSON shape.
type file struct {
	Format string          `json:"format"`
	AEAD   json.RawMessage `json:"aead"` // Tink keyset (JSON), XChaCha20-Poly1305 keys
	MAC    json.RawMessage `json:"mac"`  // Tink keyset (JSON), HMAC-SHA256 keys
	// Stream is a Tink keyset (JSON) of AES256-GCM-HKDF streaming keys (4 KiB
	// segments; 1 MiB in key files made before 2026-11-26: streamKeyTemplate),
	// for files. Key files written before it existed lack it; Load adds one.
	Stream json.RawMessage `json:"stream,omitempty"`
	// Index is a Tink keyset (JSON) of HMAC-SHA256 keys with RAW output, for
	// the blind index of identifiers. Key files written before it existed
	// lack it; Load adds one.
	Index json.RawMessage `json:"index,omitempty"`
}

// Keys is a loaded key file. It is safe for concurrent use.
type Keys struct {
	aeadHandle   *keyset.Handle
	macHandle    *keyset.Handle
	streamHandle *keyset.Handle
	indexHandle  *keyset.Handle
	aead         tink.AEAD
	mac          tink.MAC
	stream       tink.StreamingAEAD
	index        tink.MAC
}

// indexKeyTemplate is HMAC-SHA256 with a 32-byte key and a 32-byte tag, with
// RAW output: the tag carries no key-id prefix, so the MAC of a value is
// exactly HMAC(key, value) and stays the same for as long as the key does.
func indexKeyTemplate() *tinkpb.KeyTemplate {
	t := mac.HMACSHA256Tag256KeyTemplate()
	t.OutputPrefixType = tinkpb.OutputPrefixType_RAW
	return t
}

// New returns fresh keys (not yet written anywhere).
// streamKeyTemplate is the template of new file-encryption keys: AES-256-GCM
// with HKDF, in 4 KiB segments. Each encrypting writer and decrypting reader
// holds one segment in memory: with 1 MiB segments (the template of key
// files made before 2026-11-26, which stay readable and are used until
// `haven keys rotate` adds a key of this template) every file stored or
// read allocated a megabyte however small it was — gigabytes a minute
// under a load of small files.
func streamKeyTemplate() *tinkpb.KeyTemplate { return streamingaead.AES256GCMHKDF4KBKeyTemplate() }

func New() (*Keys, error) {
	ah, err := keyset.NewHandle(aead.XChaCha20Poly1305KeyTemplate())
	if err != nil {
		return nil, fmt.Errorf("keys: new aead key: %w", err)
	}
	mh, err := keyset.NewHandle(mac.HMACSHA256Tag256KeyTemplate())
	if err != nil {
		return nil, fmt.Errorf("keys: new mac key: %w", err)
	}
	sh, err := keyset.NewHandle(streamKeyTemplate())
	if err != nil {
		return nil, fmt.Errorf("keys: new stream key: %w", err)
	}
	ih, err := keyset.NewHandle(indexKeyTemplate())
	if err != nil {
		return nil, fmt.Errorf("keys: new index key: %w", err)
	}
	return fromHandles(ah, mh, sh, ih)
}

func fromHandles(ah, mh, sh, ih *keyset.Handle) (*Keys, error) {
	a, err := aead.New(ah)
	if err != nil {
		return nil, fmt.Errorf("keys: aead: %w", err)
	}
	m, err := mac.New(mh)
	if err != nil {
		return nil, fmt.Errorf("keys: mac: %w", err)
	}
	st, err := streamingaead.New(sh)
	if err != nil {
		return nil, fmt.Errorf("keys: streaming aead: %w", err)
	}
	ix, err := mac.New(ih)
	if err != nil {
		return nil, fmt.Errorf("keys: index mac: %w", err)
	}
	if info := ih.KeysetInfo().GetKeyInfo(); len(info) != 1 || info[0].GetOutputPrefixType() != tinkpb.OutputPrefixType_RAW {
		return nil, errors.New("keys: the index keyset must hold exactly one HMAC key with RAW output")
	}
	if _, err := ix.ComputeMAC(nil); err != nil {
		return nil, fmt.Errorf("keys: index mac: %w", err)
	}
	return &Keys{aeadHandle: ah, macHandle: mh, streamHandle: sh, indexHandle: ih, aead: a, mac: m, stream: st, index: ix}, nil
}

// Load reads the key file at path.
func Load(path string) (*Keys, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("keys: read key file: %w", err)
	}
	var f file
	if err := json.Unmarshal(b, &f); err != nil || f.Format != format {
		return nil, fmt.Errorf("keys: %s is not a Haven key file (want format %q)", path, format)
	}
	ah, err := insecurecleartextkeyset.Read(keyset.NewJSONReader(bytes.NewReader(f.AEAD)))
	if err != nil {
		return nil, fmt.Errorf("keys: aead keyset in %s: %w", path, err)
	}
	mh, err := insecurecleartextkeyset.Read(keyset.NewJSONReader(bytes.NewReader(f.MAC)))
	if err != nil {
		return nil, fmt.Errorf("keys: mac keyset in %s: %w", path, err)
	}
	// Keysets added after the first release are added to an older key file
	// in place: a key file from before file encryption gets a streaming key,
	// one from before linking a blind-index key.
	added := false
	readOrNew := func(name string, raw json.RawMessage, tmpl *tinkpb.KeyTemplate) (*keyset.Handle, error) {
		if len(raw) == 0 {
			added = true
			h, err := keyset.NewHandle(tmpl)
			if err != nil {
				return nil, fmt.Errorf("keys: new %s key: %w", name, err)
			}
			return h, nil
		}
		h, err := insecurecleartextkeyset.Read(keyset.NewJSONReader(bytes.NewReader(raw)))
		if err != nil {
			return nil, fmt.Errorf("keys: %s keyset in %s: %w", name, path, err)
		}
		return h, nil
	}
	sh, err := readOrNew("stream", f.Stream, streamKeyTemplate())
	if err != nil {
		return nil, err
	}
	ih, err := readOrNew("index", f.Index, indexKeyTemplate())
	if err != nil {
		return nil, err
	}
	k, err := fromHandles(ah, mh, sh, ih)
	if err != nil {
		return nil, fmt.Errorf("keys: %s: %w", path, err)
	}
	if added {
		return k, k.Save(path)
	}
	return k, nil
}

// LoadOrCreate loads the key file at path, creating it (mode 0600, with its
// folder) with fresh keys when it does not exist. created says which.
func LoadOrCreate(path string) (k *Keys, created bool, err error) {
	k, err = Load(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return k, false, err
	}
	if k, err = New(); err != nil {
		return nil, false, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, false, fmt.Errorf("keys: %w", err)
	}
	return k, true, k.write(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY)
}

// Save writes the keys to path atomically (write to a temporary file, sync,
// rename), mode 0600.
func (k *Keys) Save(path string) error {
	tmp := path + ".tmp"
	if err := k.write(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("keys: %w", err)
	}
	return nil
}

func (k *Keys) write(path string, flag int) error {
	var ab, mb, sb, ib bytes.Buffer
	for _, x := range []struct {
		h *keyset.Handle
		b *bytes.Buffer
	}{{k.aeadHandle, &ab}, {k.macHandle, &mb}, {k.streamHandle, &sb}, {k.indexHandle, &ib}} {
		if err := insecurecleartextkeyset.Write(x.h, keyset.NewJSONWriter(x.b)); err != nil {
			return fmt.Errorf("keys: encode: %w", err)
		}
	}
	b, err := json.MarshalIndent(file{Format: format, AEAD: ab.Bytes(), MAC: mb.Bytes(), Stream: sb.Bytes(), Index: ib.Bytes()}, "", "  ")
	if err != nil {
		return fmt.Errorf("keys: encode: %w", err)
	}
	f, err := os.OpenFile(path, flag, 0o600)
	if err != nil {
		return fmt.Errorf("keys: %w", err)
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return fmt.Errorf("keys: write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("keys: sync %s: %w", path, err)
	}
	return f.Close()
}

// Rotate returns keys with a new primary AEAD key, MAC key and streaming
// key; the old keys stay, so everything protected before still opens and
// verifies. The blind-index key is kept as it is: an identifier's index
// entry is the MAC of its value, so a new index key would make every value
// miss its entry until every report's identifiers were indexed again (see
// BlindIndex).
func (k *Keys) Rotate() (*Keys, error) {
	rot := func(h *keyset.Handle, add func(*keyset.Manager) (uint32, error)) (*keyset.Handle, error) {
		m := keyset.NewManagerFromHandle(h)
		id, err := add(m)
		if err != nil {
			return nil, err
		}
		if err := m.SetPrimary(id); err != nil {
			return nil, err
		}
		return m.Handle()
	}
	ah, err := rot(k.aeadHandle, func(m *keyset.Manager) (uint32, error) { return m.Add(aead.XChaCha20Poly1305KeyTemplate()) })
	if err != nil {
		return nil, fmt.Errorf("keys: rotate aead: %w", err)
	}
	mh, err := rot(k.macHandle, func(m *keyset.Manager) (uint32, error) { return m.Add(mac.HMACSHA256Tag256KeyTemplate()) })
	if err != nil {
		return nil, fmt.Errorf("keys: rotate mac: %w", err)
	}
	sh, err := rot(k.streamHandle, func(m *keyset.Manager) (uint32, error) {
		return m.Add(streamKeyTemplate())
	})
	if err != nil {
		return nil, fmt.Errorf("keys: rotate stream: %w", err)
	}
	return fromHandles(ah, mh, sh, k.indexHandle)
}

// Encrypt seals plaintext with the primary AEAD key, bound to
// associatedData (e.g. "user:42:totp"), so a ciphertext moved to another
// record does not open.
func (k *Keys) Encrypt(plaintext, associatedData []byte) ([]byte, error) {
	return k.aead.Encrypt(plaintext, associatedData)
}

// Decrypt opens a ciphertext made by Encrypt with any key in the file.
func (k *Keys) Decrypt(ciphertext, associatedData []byte) ([]byte, error) {
	return k.aead.Decrypt(ciphertext, associatedData)
}

// EncryptingWriter returns a writer that encrypts what is written to w
// with the primary streaming key, bound to associatedData; closing it
// finishes the ciphertext (but does not close w).
func (k *Keys) EncryptingWriter(w io.Writer, associatedData []byte) (io.WriteCloser, error) {
	return k.stream.NewEncryptingWriter(w, associatedData)
}

// DecryptingReader returns a reader of the plaintext of a ciphertext made by
// EncryptingWriter with any key in the file; a tampered or truncated
// ciphertext makes Read fail.
func (k *Keys) DecryptingReader(r io.Reader, associatedData []byte) (io.Reader, error) {
	return k.stream.NewDecryptingReader(r, associatedData)
}

// Seal returns the MAC of data under the primary MAC key (haven.Sealer).
func (k *Keys) Seal(data []byte) ([]byte, error) { return k.mac.ComputeMAC(data) }

// Verify checks a MAC made by Seal with any key in the file (haven.Sealer).
func (k *Keys) Verify(tag, data []byte) error { return k.mac.VerifyMAC(tag, data) }

// BlindIndex returns the keyed MAC (HMAC-SHA256, 32 bytes) of data under the
// blind-index key (haven.BlindIndexer): the same data always gives the same
// MAC, so an identifier is found by the MAC of its normalised value without
// any plaintext being stored in or scanned from the index, and without the
// key file the MACs reveal nothing and cannot be computed for a guess.
//
// The key cannot be rotated the way the others are: a MAC made under a new
// key never equals one made under the old, so rotating it means computing
// every identifier's MAC again (re-indexing every report). Haven has no
// command that rotates it; docs/operations.md says so.
func (k *Keys) BlindIndex(data []byte) []byte {
	tag, err := k.index.ComputeMAC(data)
	if err != nil {
		// HMAC with a key fromHandles checked cannot fail.
		panic("keys: blind index: " + err.Error())
	}
	return tag
}
