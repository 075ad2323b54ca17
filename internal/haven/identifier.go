package haven

import "strings"

// IdentifierKind is the kind of an identifier that can link reports.
type IdentifierKind string

// Identifier kinds.
const (
	IDPhone       IdentifierKind = "phone"   // E.164
	IDEmail       IdentifierKind = "email"   // lower case
	IDURL         IdentifierKind = "url"     // canonicalised
	IDHandle      IdentifierKind = "handle"  // a screen name, with its platform
	IDPayment     IdentifierKind = "payment" // a payment handle (cashtag …), with its platform
	IDIP          IdentifierKind = "ip"
	IDDevice      IdentifierKind = "device"       // a device id, with its type as platform
	IDPlate       IdentifierKind = "plate"        // a vehicle plate, with its state as platform
	IDFileHash    IdentifierKind = "file_hash"    // hex digest, with its algorithm as platform
	IDESPAccount  IdentifierKind = "esp_account"  // an ESP's own user id, with the ESP service as platform
	IDGroup       IdentifierKind = "group"        // a group identifier on a platform
	IDPriorReport IdentifierKind = "prior_report" // a CyberTipline report number
)

// IdentifierKinds lists every kind.
var IdentifierKinds = []IdentifierKind{IDPhone, IDEmail, IDURL, IDHandle, IDPayment, IDIP, IDDevice, IDPlate, IDFileHash, IDESPAccount, IDGroup, IDPriorReport}

// Identifier is a value that may connect reports: the same phone number, the
// same account. Value is normalised (linking compares Kind, Platform and
// Value); Raw keeps what the report said.
type Identifier struct {
	ID       int64
	ReportID int64
	Kind     IdentifierKind
	Value    string
	Platform string // for handles, payment handles, ESP accounts, groups, devices, plates (state), hashes (algorithm)
	Raw      string
	Source   string // where it was found: a field name, or "narrative"
}

// Validate checks an identifier.
func (i *Identifier) Validate() error {
	if !oneOf(i.Kind, IdentifierKinds) {
		return FieldError("identifiers.kind", "unknown identifier kind %q", i.Kind)
	}
	if strings.TrimSpace(i.Value) == "" {
		return FieldError("identifiers.value", "an identifier needs a value")
	}
	if len(i.Value) > 2048 || len(i.Raw) > 2048 || len(i.Platform) > 256 {
		return FieldError("identifiers.value", "an identifier has at most 2048 characters")
	}
	return nil
}
