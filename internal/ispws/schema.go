package ispws

import (
	"regexp"
	"strings"

	"github.com/haven-oss/haven/internal/geo"
)

// The schema of the documents Haven accepts, written once, as data: the
// validator (validate.go) checks documents against it and the XSD served at
// /ispws/xsd is generated from it (xsd.go), so the two cannot disagree.
// Rules an XSD cannot state (a time in the past, the batched-report rule…)
// are carried by the types and elements as notes, which the XSD shows as
// documentation and the validator enforces in code.

// stype is a simple type: the text of an element or an attribute's value.
type stype struct {
	name    string
	base    string // xs:string, xs:int, xs:decimal, xs:dateTime, xs:date, xs:boolean
	maxLen  int
	enum    []string
	pattern string // XSD pattern syntax, kept to what RE2 reads alike
	re      *regexp.Regexp
	min     *float64 // inclusive bounds for numbers
	max     *float64
	past    bool // a time that must not be in the future
	note    string
}

// ctype is a complex type: children in sequence (or a choice of exactly
// one), attributes, or text with attributes, or nothing.
type ctype struct {
	name   string
	seq    []part
	choice bool
	attrs  []attr
	text   *stype // simple content with attributes
	note   string
}

// part is an element in a sequence: either simple (st) or complex (ct).
type part struct {
	name     string
	st       *stype
	ct       *ctype
	min, max int // max 0 means 1
	note     string
}

// attr is an attribute.
type attr struct {
	name     string
	st       *stype
	required bool
}

func (p part) maxOccurs() int {
	if p.max == 0 {
		return 1
	}
	return p.max
}

func num(f float64) *float64 { return &f }

func newSimple(t stype) *stype {
	if t.pattern != "" {
		t.re = regexp.MustCompile("^(?:" + t.pattern + ")$")
	}
	return &t
}

func str(name string, n int) *stype {
	return newSimple(stype{name: name, base: "xs:string", maxLen: n})
}

func enum(name string, vals ...string) *stype {
	return newSimple(stype{name: name, base: "xs:string", enum: vals})
}

// Element helpers: one (1), opt (0|1), many (0..n), some (1..n).
func one(name string, t any) part         { return mk(name, t, 1, 1) }
func opt(name string, t any) part         { return mk(name, t, 0, 1) }
func many(name string, t any, n int) part { return mk(name, t, 0, n) }
func some(name string, t any, n int) part { return mk(name, t, 1, n) }

func mk(name string, t any, min, max int) part {
	p := part{name: name, min: min, max: max}
	switch t := t.(type) {
	case *stype:
		p.st = t
	case *ctype:
		p.ct = t
	default:
		panic("ispws: element type must be *stype or *ctype")
	}
	return p
}

func withNote(p part, note string) part { p.note = note; return p }

// Repetition limits: the XSD states them, so a client knows them.
const (
	maxList    = 100 // most repeated elements
	maxPeople  = 20  // victims, intended recipients
	maxDetails = 50
)

// Simple types.
var (
	tShort = str("shortText", 255)
	tName  = str("nameText", 100)
	tText  = str("longText", 20000)
	tURL   = str("urlText", 2048)
	tBool  = &stype{name: "xs:boolean", base: "xs:boolean"}
	tInt   = &stype{name: "xs:int", base: "xs:int"}

	tDateTime = newSimple(stype{name: "dateTimeWithZone", base: "xs:dateTime",
		pattern: `.+T.+(Z|[+\-][0-9]{2}:[0-9]{2})`,
		note:    "ISO 8601 with a zone (Z or ±hh:mm)."})
	tPastDateTime = newSimple(stype{name: "pastDateTime", base: "xs:dateTime",
		pattern: `.+T.+(Z|[+\-][0-9]{2}:[0-9]{2})`, past: true,
		note: "ISO 8601 with a zone (Z or ±hh:mm), not in the future."})
	tPastDate = newSimple(stype{name: "pastDate", base: "xs:date", pattern: `[0-9]{4}-[0-9]{2}-[0-9]{2}`, past: true,
		note: "YYYY-MM-DD, not in the future."})
	tAge      = newSimple(stype{name: "age", base: "xs:int", min: num(0), max: num(150)})
	tPort     = newSimple(stype{name: "port", base: "xs:int", min: num(1), max: num(65535)})
	tLat      = newSimple(stype{name: "latitude", base: "xs:decimal", min: num(-90), max: num(90)})
	tLon      = newSimple(stype{name: "longitude", base: "xs:decimal", min: num(-180), max: num(180)})
	tReportID = newSimple(stype{name: "reportId", base: "xs:long", min: num(1)})
	tFileID   = newSimple(stype{name: "fileId", base: "xs:string", pattern: `[0-9a-f]{32}`})
	tCTReport = newSimple(stype{name: "ctReportNumber", base: "xs:string", pattern: `[0-9]{1,20}`})
	tCountry  = newSimple(stype{name: "countryCode", base: "xs:string", pattern: `[A-Z]{2}`,
		note: "ISO 3166-1 alpha-2."})
	tCallingCode = newSimple(stype{name: "countryCallingCode", base: "xs:string", pattern: `\+[0-9]{1,3}`})
	tExtension   = newSimple(stype{name: "extension", base: "xs:string", pattern: `[0-9]{1,10}`})
	tEmail       = newSimple(stype{name: "emailText", base: "xs:string", maxLen: 255,
		pattern: `[^@\s]{1,64}@[^@\s]+\.[^@\s]+`, note: "A well-formed address: at most 255 characters, local part at most 64."})
	tPhone = newSimple(stype{name: "phoneText", base: "xs:string", maxLen: 50, pattern: `[0-9+()./ \-]+`,
		note: "Digits and + ( ) . / - and spaces; with countryCallingCode, the number must not repeat the calling code."})
	tUSState = enum("usState", usStates()...)

	tIncidentType = enum("incidentType",
		"Child Pornography (possession, manufacture, and distribution)",
		"Child Sex Trafficking",
		"Child Sex Tourism",
		"Child Sexual Molestation",
		"Misleading Domain Name",
		"Misleading Words or Digital Images on the Internet",
		"Online Enticement of Children for Sexual Acts",
		"Unsolicited Obscene Material Sent to a Child")
	tBatchReason   = enum("batchReason", "VIRAL_POTENTIAL_MEME")
	tPhoneType     = enum("phoneType", "Mobile", "Home", "Business", "Work", "Fax", "Internet", "Recovery")
	tEmailType     = enum("emailType", "Home", "Work", "Business", "Recovery")
	tAddressType   = enum("addressType", "Home", "Business", "Billing", "Shipping", "Technical")
	tEventName     = enum("eventName", "Login", "Registration", "Purchase", "Upload", "Other", "Unknown")
	tAccountType   = enum("accountType", "Billing", "Linked", "Business", "Creator", "Parent/Guardian", "Other")
	tFileRelevance = enum("fileRelevance", "Reported", "Supplemental Reported")
	tIndustryClass = enum("industryClassification", "A1", "A2", "B1", "B2")
	tDetailsType   = enum("detailsType", "EXIF", "HASH")
)

func usStates() []string {
	out := make([]string, len(geo.States))
	for i, s := range geo.States {
		out[i] = s.Code
	}
	return out
}

// flags is an element whose children are optional empty flags.
func flags(name string, names ...string) *ctype {
	c := &ctype{name: name}
	for _, n := range names {
		c.seq = append(c.seq, opt(n, tEmpty))
	}
	return c
}

// Complex types.
var (
	tEmpty = &ctype{name: "emptyFlag"}

	tPhoneEl = &ctype{name: "phone", text: tPhone, attrs: []attr{
		{name: "type", st: tPhoneType}, {name: "verified", st: tBool}, {name: "verificationDate", st: tPastDateTime},
		{name: "countryCallingCode", st: tCallingCode}, {name: "extension", st: tExtension}}}
	tEmailEl = &ctype{name: "email", text: tEmail, attrs: []attr{
		{name: "type", st: tEmailType}, {name: "verified", st: tBool}, {name: "verificationDate", st: tPastDateTime}}}
	tAddress = &ctype{name: "address", attrs: []attr{{name: "type", st: tAddressType}}, seq: []part{
		opt("address", tShort), opt("city", tName), opt("zipCode", str("zipCode", 20)), opt("state", tUSState),
		opt("nonUsaState", tName), opt("country", tCountry)}}
	tPerson = &ctype{name: "person", seq: []part{
		opt("firstName", tName), opt("lastName", tName), many("phone", tPhoneEl, maxList), many("email", tEmailEl, maxList),
		many("address", tAddress, maxList), opt("age", tAge), opt("dateOfBirth", tPastDate)}}
	// tReportingPerson is a person with at least one email.
	tReportingPerson = &ctype{name: "reportingPerson", seq: []part{
		opt("firstName", tName), opt("lastName", tName), many("phone", tPhoneEl, maxList), some("email", tEmailEl, maxList),
		many("address", tAddress, maxList), opt("age", tAge), opt("dateOfBirth", tPastDate)}}
	tIPEvent = &ctype{name: "ipCaptureEvent", seq: []part{
		one("ipAddress", str("ipAddress", 64)), opt("eventName", tEventName), opt("dateTime", tPastDateTime),
		opt("possibleProxy", tBool), opt("port", tPort)}}
	tDeviceID = &ctype{name: "deviceId", seq: []part{
		opt("idType", tShort), one("idValue", tShort), opt("eventName", tEventName), opt("dateTime", tPastDateTime)}}
	tTempDisabled = &ctype{name: "accountTemporarilyDisabled", attrs: []attr{
		{name: "disabledDate", st: tPastDateTime}, {name: "userNotified", st: tBool},
		{name: "userNotifiedDate", st: tPastDateTime}, {name: "reenabledDate", st: tDateTime}}}
	tPermDisabled = &ctype{name: "accountPermanentlyDisabled", attrs: []attr{
		{name: "disabledDate", st: tPastDateTime}, {name: "userNotified", st: tBool}, {name: "userNotifiedDate", st: tPastDateTime}}}
	tEstimatedLocation = &ctype{name: "estimatedLocation", note: "When countryCode is US, region is a US state or territory postal code.",
		attrs: []attr{{name: "verified", st: tBool}, {name: "timestamp", st: tPastDateTime}},
		seq:   []part{opt("city", tName), opt("region", tName), one("countryCode", tCountry)}}
	tAssociatedAccount = &ctype{name: "associatedAccount", attrs: []attr{{name: "accountType", st: tAccountType}}, seq: []part{
		opt("platform", tShort), opt("firstName", tName), opt("middleName", tName), opt("lastName", tName),
		opt("approximateAge", tAge), opt("dateOfBirth", tPastDate), many("phone", tPhoneEl, maxList),
		many("email", tEmailEl, maxList), many("address", tAddress, maxList), opt("espService", tShort),
		opt("espIdentifier", tShort), many("profileUrl", tURL, maxList), opt("screenName", tShort),
		many("displayName", tShort, maxList), opt("profileBio", tText), opt("groupIdentifier", tShort),
		opt("compromisedAccount", tBool), opt("accountTemporarilyDisabled", tTempDisabled),
		opt("accountPermanentlyDisabled", tPermDisabled), many("ipCaptureEvent", tIPEvent, maxList),
		many("deviceId", tDeviceID, maxList), many("priorCTReport", tCTReport, maxList), opt("additionalInfo", tText)}}
)

// accountFields are the fields of an online account, shared by the
// reported person, intended recipients and victims.
func accountFields() []part {
	return []part{
		opt("vehicleDescription", tText), opt("espIdentifier", tShort), opt("espService", tShort),
		opt("compromisedAccount", tBool), opt("screenName", tShort), many("displayName", tShort, maxList),
		many("profileUrl", tURL, maxList), opt("profileBio", tText), many("ipCaptureEvent", tIPEvent, maxList),
		many("deviceId", tDeviceID, maxList), opt("thirdPartyUserReported", tBool),
		many("priorCTReports", tCTReport, maxList), opt("groupIdentifier", tShort),
		opt("accountTemporarilyDisabled", tTempDisabled), opt("accountPermanentlyDisabled", tPermDisabled),
		opt("estimatedLocation", tEstimatedLocation), opt("allEmailsReported", tBool),
		many("associatedAccount", tAssociatedAccount, maxList), opt("additionalInfo", tText),
	}
}

func account(name string, person part, extra ...part) *ctype {
	return &ctype{name: name, seq: append(append([]part{person}, extra...), accountFields()...)}
}

var (
	tReported  = account("personOrUserReported", opt("personOrUserReportedPerson", tPerson))
	tRecipient = account("intendedRecipient", opt("intendedRecipientPerson", tPerson))
	tVictim    = account("victim", one("victimPerson", tPerson), opt("schoolName", tShort))

	tInternetDetails = &ctype{name: "internetDetails", choice: true, seq: []part{
		one("webPageIncident", &ctype{name: "webPageIncident", attrs: []attr{{name: "thirdPartyHostedContent", st: tBool}},
			seq: []part{some("url", tURL, maxList), opt("additionalInfo", tText)}}),
		one("emailIncident", &ctype{name: "emailIncident", seq: []part{
			some("emailAddress", tEmailEl, maxList), opt("content", tText), opt("additionalInfo", tText)}}),
		one("newsgroupIncident", &ctype{name: "newsgroupIncident", seq: []part{
			opt("name", tShort), some("emailAddress", tEmailEl, maxList), opt("content", tText), opt("additionalInfo", tText)}}),
		one("chatImIncident", &ctype{name: "chatImIncident", seq: []part{
			opt("chatClient", tShort), opt("chatRoomName", tShort), opt("content", tText), opt("additionalInfo", tText)}}),
		one("onlineGamingIncident", &ctype{name: "onlineGamingIncident", seq: []part{
			opt("gameName", tShort), opt("console", tShort), opt("content", tText), opt("additionalInfo", tText)}}),
		one("cellPhoneIncident", &ctype{name: "cellPhoneIncident", seq: []part{
			opt("phoneNumber", tPhoneEl), opt("latitude", tLat), opt("longitude", tLon), opt("additionalInfo", tText)}}),
		one("nonInternetIncident", &ctype{name: "nonInternetIncident", seq: []part{
			opt("locationName", tShort), many("incidentAddress", tAddress, maxList), opt("additionalInfo", tText)}}),
		one("peer2peerIncident", &ctype{name: "peer2peerIncident", seq: []part{
			opt("client", tShort), many("ipCaptureEvent", tIPEvent, maxList), opt("fileNames", tText), opt("additionalInfo", tText)}}),
	}}

	tReport = &ctype{name: "report", seq: []part{
		opt("batchedReport", &ctype{name: "batchedReport", attrs: []attr{{name: "reason", st: tBatchReason, required: true}}}),
		one("incidentSummary", &ctype{name: "incidentSummary", seq: []part{
			one("incidentType", tIncidentType),
			opt("platform", str("platform", 256)),
			withNote(opt("escalateToHighPriority", str("escalation", 3000)), "Any value escalates the report."),
			opt("reportAnnotations", flags("reportAnnotations", "sextortion", "csamSolicitation",
				"minorToMinorInteraction", "spam", "sadisticOnlineExploitation")),
			one("incidentDateTime", tPastDateTime),
			opt("incidentDateTimeDescription", str("incidentDateTimeDescription", 3000)),
		}}),
		many("internetDetails", tInternetDetails, maxList),
		opt("lawEnforcement", &ctype{name: "lawEnforcement", attrs: []attr{{name: "fleaCountry", st: tCountry}}, seq: []part{
			one("agencyName", tShort), opt("caseNumber", tShort), opt("officerContact", tPerson),
			opt("reportedToLe", tBool), opt("servedLegalProcessDomestic", tBool), opt("servedLegalProcessInternational", tBool)}}),
		one("reporter", &ctype{name: "reporter", seq: []part{
			one("reportingPerson", tReportingPerson), opt("contactPerson", tPerson), opt("companyTemplate", tShort),
			opt("termsOfService", tText), opt("legalURL", tURL)}}),
		withNote(many("personOrUserReported", tReported, maxList),
			"At most one, except in a batched report (batchedReport reason VIRAL_POTENTIAL_MEME), where each holds only espIdentifier."),
		many("intendedRecipient", tRecipient, maxPeople),
		many("victim", tVictim, maxPeople),
		opt("additionalInfo", tText),
	}, note: "A batched report (batchedReport) carries exactly one file, whose fileDetails annotate it viral and/or potentialMeme; /finish refuses it otherwise (4100)."}

	tFileDetails = &ctype{name: "fileDetails", seq: []part{
		one("reportId", tReportID), one("fileId", tFileID), opt("originalFileName", tShort),
		opt("uploadedToEspTimestamp", tPastDateTime), opt("locationOfFile", tURL), opt("fileViewedByEsp", tBool),
		opt("exifViewedByEsp", tBool), opt("publiclyAvailable", tBool), opt("fileRelevance", tFileRelevance),
		opt("fileAnnotations", flags("fileAnnotations", "animeDrawingVirtualHentai", "potentialMeme", "viral",
			"possibleSelfProduction", "physicalHarm", "violenceGore", "bestiality", "liveStreaming", "infant", "generativeAi")),
		opt("industryClassification", tIndustryClass),
		many("originalFileHash", &ctype{name: "originalFileHash", text: str("hashValue", 256),
			attrs: []attr{{name: "hashType", st: tShort}}}, maxList),
		opt("ipCaptureEvent", tIPEvent), many("deviceId", tDeviceID, maxList),
		many("details", &ctype{name: "details", attrs: []attr{{name: "type", st: tDetailsType}}, seq: []part{
			some("nameValuePair", &ctype{name: "nameValuePair", seq: []part{one("name", tShort), one("value", tText)}}, maxDetails)}}, maxDetails),
		many("additionalInfo", tText, maxList),
	}}
)

// roots are the documents the API takes.
var roots = []part{one("report", tReport), one("fileDetails", tFileDetails)}

// joinEnum lists allowed values for a message.
func joinEnum(vals []string) string {
	if len(vals) > 12 {
		return strings.Join(vals[:12], ", ") + ", …"
	}
	return strings.Join(vals, ", ")
}
