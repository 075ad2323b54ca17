package ispws

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

// incidentTypes maps the CyberTipline incident types to Haven's.
var incidentTypes = map[string]haven.IncidentType{
	"Child Pornography (possession, manufacture, and distribution)": haven.IncidentCSAM,
	"Child Sex Trafficking":                              haven.IncidentSexTrafficking,
	"Child Sex Tourism":                                  haven.IncidentSexTourism,
	"Child Sexual Molestation":                           haven.IncidentMolestation,
	"Misleading Domain Name":                             haven.IncidentMisleadingName,
	"Misleading Words or Digital Images on the Internet": haven.IncidentMisleadingWords,
	"Online Enticement of Children for Sexual Acts":      haven.IncidentEnticement,
	"Unsolicited Obscene Material Sent to a Child":       haven.IncidentObsceneMaterial,
}

// DecodeReport checks a <report> document against the schema and the rules
// beyond it that can be checked before its files arrive, and returns it as
// a Report (without files). Errors: *malformedError (4110) or
// *invalidError (4100) naming the element and the rule.
func DecodeReport(doc []byte, now time.Time) (*haven.Report, error) {
	n, err := decode(doc, roots[0], now)
	if err != nil {
		return nil, err
	}
	if err := reportRules(n); err != nil {
		return nil, err
	}
	return mapReport(n, "", nil, now)
}

// DecodeFileDetails checks a <fileDetails> document and returns its reportId
// and fileId.
func DecodeFileDetails(doc []byte, now time.Time) (reportID int64, fileID string, err error) {
	n, err := decode(doc, roots[1], now)
	if err != nil {
		return 0, "", err
	}
	if err := ipRules(n.all("ipCaptureEvent"), "ipCaptureEvent"); err != nil {
		return 0, "", err
	}
	id, err := strconv.ParseInt(n.val("reportId"), 10, 64)
	if err != nil {
		return 0, "", invalid("reportId", "must be a report id")
	}
	return id, n.val("fileId"), nil
}

// reportRules are the rules of a report the schema cannot express.
func reportRules(n *node) error {
	batched := n.has("batchedReport")
	reported := n.all("personOrUserReported")
	if !batched && len(reported) > 1 {
		return invalid("personOrUserReported", "at most one, unless the report is batched (batchedReport)")
	}
	if batched {
		for _, p := range reported {
			for _, k := range p.kids {
				if k.name != "espIdentifier" {
					return invalid("personOrUserReported/"+k.name, "in a batched report, personOrUserReported holds only espIdentifier")
				}
			}
		}
	}
	// Accounts: estimated locations and phones.
	var walk func(n *node, path string) error
	walk = func(n *node, path string) error {
		switch n.name {
		case "estimatedLocation":
			if n.val("countryCode") == "US" && n.has("region") {
				if rule := checkValue(tUSState, n.val("region"), time.Time{}); rule != "" {
					return invalid(path+"/region", "with countryCode US, %s", rule)
				}
			}
		case "ipCaptureEvent":
			if err := ipRules([]*node{n}, path); err != nil {
				return err
			}
		case "phone", "phoneNumber":
			if cc := n.attrs["countryCallingCode"]; cc != "" {
				num := strings.TrimSpace(n.text)
				digits := onlyDigits(num)
				if strings.HasPrefix(num, "+") || strings.HasPrefix(num, "00") ||
					(len(digits) > 10 && strings.HasPrefix(digits, strings.TrimPrefix(cc, "+"))) {
					return invalid(path, "the number must not repeat the calling code %s", cc)
				}
			}
		}
		for _, k := range n.kids {
			if err := walk(k, path+"/"+k.name); err != nil {
				return err
			}
		}
		return nil
	}
	for _, k := range n.kids {
		if err := walk(k, k.name); err != nil {
			return err
		}
	}
	return nil
}

// ipRules checks that IP addresses parse.
func ipRules(events []*node, path string) error {
	for _, e := range events {
		if net.ParseIP(e.val("ipAddress")) == nil {
			return invalid(path+"/ipAddress", "must be an IPv4 or IPv6 address")
		}
	}
	return nil
}

// fileDoc is a file of a finishing report, with its details tree.
type fileDoc struct {
	file    *haven.EspFile
	details *node
}

// batchedRule is the rule a batched report's files must meet at finish.
func batchedRule(n *node, files []fileDoc) error {
	if !n.has("batchedReport") {
		return nil
	}
	if len(files) != 1 {
		return invalid("batchedReport", "a batched VIRAL_POTENTIAL_MEME report carries exactly one file (it has %d)", len(files))
	}
	ann := files[0].details.one("fileAnnotations")
	if !ann.has("viral") && !ann.has("potentialMeme") {
		return invalid("batchedReport", "the file of a batched VIRAL_POTENTIAL_MEME report must be annotated viral and/or potentialMeme in its fileDetails")
	}
	return nil
}

// FinishReport decodes a finishing submission and returns the Report it
// becomes, applying the rules that need its files (the batched rule).
func FinishReport(c haven.EspContent, espName string, now time.Time) (*haven.Report, error) {
	n, err := decode(c.XML, roots[0], now.Add(time.Hour)) // accepted once: time has only moved on
	if err != nil {
		return nil, err
	}
	var files []fileDoc
	for _, f := range c.Files {
		fd := fileDoc{file: f.File}
		if f.Details != nil {
			if fd.details, err = decode(f.Details, roots[1], now.Add(time.Hour)); err != nil {
				return nil, err
			}
		}
		files = append(files, fd)
	}
	if err := batchedRule(n, files); err != nil {
		return nil, err
	}
	return mapReport(n, espName, files, now)
}

// mapper accumulates a Report from a document.
type mapper struct {
	r         *haven.Report
	seen      map[string]bool
	narrative []string
}

func (m *mapper) id(kind haven.IdentifierKind, value, platform, raw, source string) {
	value = strings.TrimSpace(value)
	if value == "" {
		return
	}
	key := string(kind) + "\x00" + platform + "\x00" + value
	if m.seen[key] {
		return
	}
	m.seen[key] = true
	m.r.Identifiers = append(m.r.Identifiers, haven.Identifier{Kind: kind, Value: value, Platform: platform, Raw: raw, Source: source})
}

func (m *mapper) note(label, text string) {
	if text = strings.TrimSpace(text); text != "" {
		m.narrative = append(m.narrative, label+": "+text)
	}
}

// mapReport turns a validated report (and its files) into a Report.
func mapReport(n *node, espName string, files []fileDoc, now time.Time) (*haven.Report, error) {
	m := &mapper{r: &haven.Report{Channel: haven.ChannelESP, Status: haven.ReportNew}, seen: map[string]bool{}}
	r := m.r
	sum := n.one("incidentSummary")
	r.IncidentType = incidentTypes[sum.val("incidentType")]
	if t, err := time.Parse(time.RFC3339Nano, sum.val("incidentDateTime")); err == nil {
		t = t.UTC()
		r.IncidentAt = &t
	}
	r.IncidentTimeText = sum.val("incidentDateTimeDescription")
	platform := sum.val("platform")
	if sum.has("escalateToHighPriority") {
		// The escalation is a triage fact (internal/triage): triage, in the
		// ingest job, decides the priority.
		r.Escalation = truncate(strings.TrimSpace(sum.val("escalateToHighPriority")), 3000)
		if r.Escalation == "" {
			r.Escalation = "(no text)"
		}
		m.note("Escalated to high priority by the ESP", sum.val("escalateToHighPriority"))
	}
	m.note("Platform", platform)
	if ann := sum.one("reportAnnotations"); ann != nil {
		var flags []string
		for _, k := range ann.kids {
			flags = append(flags, k.name)
		}
		m.note("ESP annotations", strings.Join(flags, ", "))
	}
	if b := n.one("batchedReport"); b != nil {
		m.note("Batched report", b.attrs["reason"])
	}

	for i, d := range n.all("internetDetails") {
		m.internetDetails(d.kids[0], fmt.Sprintf("internetDetails[%d]/%s", i+1, d.kids[0].name))
	}
	if le := n.one("lawEnforcement"); le != nil {
		m.note("Law enforcement", strings.TrimSpace(le.val("agencyName")+" "+caseNo(le.val("caseNumber"))))
	}

	// The reporting person is the ESP's own staff: the report's contact,
	// never identifiers to link on (they would tie all of an ESP's reports).
	rep := n.one("reporter")
	rp := rep.one("reportingPerson")
	r.Reporter = haven.Contact{Name: fullName(rp), Organization: espName, Relationship: "esp",
		Email: rp.one("email").text}
	if ph := rp.one("phone"); ph != nil {
		r.Reporter.Phone = ph.text
	}
	if r.Reporter.Organization == "" {
		r.Reporter.Organization = rep.val("companyTemplate")
	}

	for i, p := range n.all("personOrUserReported") {
		m.account(p, "personOrUserReportedPerson", haven.PersonSuspect, fmt.Sprintf("personOrUserReported[%d]", i+1), platform)
	}
	for i, p := range n.all("intendedRecipient") {
		m.account(p, "intendedRecipientPerson", haven.PersonOther, fmt.Sprintf("intendedRecipient[%d]", i+1), platform)
	}
	for i, p := range n.all("victim") {
		m.account(p, "victimPerson", haven.PersonChild, fmt.Sprintf("victim[%d]", i+1), platform)
	}
	m.note("Additional information", n.val("additionalInfo"))

	for i, f := range files {
		src := fmt.Sprintf("file[%d] %s", i+1, f.file.FileID)
		m.id(haven.IDFileHash, strings.ToLower(f.file.MD5), "MD5", f.file.MD5, src)
		m.id(haven.IDFileHash, strings.ToLower(f.file.SHA256), "SHA256", f.file.SHA256, src)
		d := f.details
		if d == nil {
			continue
		}
		for _, h := range d.all("originalFileHash") {
			m.id(haven.IDFileHash, strings.ToLower(h.text), strings.ToUpper(h.attrs["hashType"]), h.text, src+" originalFileHash")
		}
		m.ipEvents(d.all("ipCaptureEvent"), src)
		m.devices(d.all("deviceId"), src)
		for _, a := range d.all("additionalInfo") {
			m.note("File "+f.file.FileID, a.text)
		}
	}

	r.Narrative = strings.Join(m.narrative, "\n\n")
	if len([]rune(r.Narrative)) > haven.MaxNarrative {
		const cut = "\n\n[Shortened here: the ESP's original document is kept in full.]"
		r.Narrative = string([]rune(r.Narrative)[:haven.MaxNarrative-len([]rune(cut))]) + cut
	}
	if len(r.Places) > haven.MaxPlaces {
		r.Places = r.Places[:haven.MaxPlaces]
	}
	if r.Narrative == "" && len(r.People) == 0 && len(r.Identifiers) == 0 {
		r.Narrative = "A report from an online service provider (no details beyond its type and time)."
	}
	r.Normalize()
	if err := r.Validate(now.Add(time.Hour)); err != nil {
		return nil, invalid("report", "%s", haven.ErrorField(err)+": "+haven.ErrorMessage(err))
	}
	return r, nil
}

func caseNo(s string) string {
	if s == "" {
		return ""
	}
	return "(case " + s + ")"
}

func fullName(p *node) string {
	return strings.TrimSpace(p.val("firstName") + " " + p.val("lastName"))
}

func (m *mapper) internetDetails(d *node, src string) {
	label := map[string]string{"webPageIncident": "Web page", "emailIncident": "Email", "newsgroupIncident": "Newsgroup",
		"chatImIncident": "Chat or instant message", "onlineGamingIncident": "Online gaming", "cellPhoneIncident": "Cell phone",
		"nonInternetIncident": "Offline", "peer2peerIncident": "Peer-to-peer"}[d.name]
	for _, u := range d.all("url") {
		m.id(haven.IDURL, u.text, "", u.text, src+"/url")
	}
	m.emails(d.all("emailAddress"), src+"/emailAddress")
	if ph := d.one("phoneNumber"); ph != nil {
		m.phone(ph, src+"/phoneNumber")
	}
	m.ipEvents(d.all("ipCaptureEvent"), src)
	var facts []string
	for _, k := range []string{"name", "chatClient", "chatRoomName", "gameName", "console", "client", "locationName", "fileNames"} {
		if v := d.val(k); v != "" {
			facts = append(facts, k+" "+v)
		}
	}
	m.note(label, strings.Join(facts, "; "))
	m.note(label+" content", d.val("content"))
	m.note(label+" — additional information", d.val("additionalInfo"))
	for _, a := range d.all("incidentAddress") {
		m.r.Places = append(m.r.Places, place(a, haven.PlaceIncident))
	}
	if d.name == "cellPhoneIncident" && d.has("latitude") && d.has("longitude") {
		lat, _ := strconv.ParseFloat(d.val("latitude"), 64)
		lon, _ := strconv.ParseFloat(d.val("longitude"), 64)
		m.r.Places = append(m.r.Places, haven.Place{Role: haven.PlaceIncident, Lat: &lat, Lon: &lon})
	}
}

func place(a *node, role haven.PlaceRole) haven.Place {
	p := haven.Place{Role: role, Address: a.val("address"), City: a.val("city"), ZIP: a.val("zipCode"),
		State: a.val("state"), Country: a.val("country")}
	if v := a.val("nonUsaState"); v != "" {
		p.Address = strings.TrimSpace(strings.TrimSuffix(p.Address+", "+v, ", "))
		p.Address = strings.TrimPrefix(p.Address, ", ")
	}
	if p.Country == "US" {
		p.Country = ""
	}
	return p
}

func (m *mapper) emails(es []*node, src string) {
	for _, e := range es {
		m.id(haven.IDEmail, strings.ToLower(e.text), "", e.text, src)
	}
}

// phone adds a phone number, normalised to E.164 where the digits allow it
// (North American numbers without a calling code are taken as +1); the
// linking issue refines this.
func (m *mapper) phone(p *node, src string) {
	digits := onlyDigits(p.text)
	if digits == "" {
		return
	}
	v := digits
	switch cc := strings.TrimPrefix(p.attrs["countryCallingCode"], "+"); {
	case cc != "":
		v = "+" + cc + digits
	case strings.HasPrefix(strings.TrimSpace(p.text), "+"):
		v = "+" + digits
	case len(digits) == 10:
		v = "+1" + digits
	case len(digits) == 11 && digits[0] == '1':
		v = "+" + digits
	}
	m.id(haven.IDPhone, v, "", p.text, src)
}

func onlyDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

func (m *mapper) ipEvents(es []*node, src string) {
	for _, e := range es {
		ip := e.val("ipAddress")
		if p := net.ParseIP(ip); p != nil {
			ip = p.String()
		}
		detail := []string{src + "/ipCaptureEvent"}
		for _, k := range []string{"eventName", "dateTime", "port"} {
			if v := e.val(k); v != "" {
				detail = append(detail, k+" "+v)
			}
		}
		if e.val("possibleProxy") == "true" || e.val("possibleProxy") == "1" {
			detail = append(detail, "possible proxy")
		}
		m.id(haven.IDIP, ip, "", e.val("ipAddress"), strings.Join(detail, "; "))
	}
}

func (m *mapper) devices(ds []*node, src string) {
	for _, d := range ds {
		detail := src + "/deviceId"
		if v := d.val("eventName"); v != "" {
			detail += "; eventName " + v
		}
		if v := d.val("dateTime"); v != "" {
			detail += "; dateTime " + v
		}
		m.id(haven.IDDevice, d.val("idValue"), d.val("idType"), d.val("idValue"), detail)
	}
}

// account maps a reported person, intended recipient or victim.
func (m *mapper) account(a *node, personElem string, role haven.PersonRole, src, platform string) {
	service := a.val("espService")
	if service == "" {
		service = platform
	}
	if p := a.one(personElem); p != nil {
		pm := haven.PersonMention{Role: role, FirstName: p.val("firstName"), LastName: p.val("lastName")}
		if v, err := strconv.Atoi(p.val("age")); err == nil {
			pm.Age = &v
		}
		if t, err := time.Parse("2006-01-02", p.val("dateOfBirth")); err == nil {
			pm.DateOfBirth = &t
		}
		if ad := p.one("address"); ad != nil {
			pm.City, pm.State = ad.val("city"), ad.val("state")
		}
		var desc []string
		for _, k := range []string{"vehicleDescription", "schoolName"} {
			if v := a.val(k); v != "" {
				desc = append(desc, k+": "+v)
			}
		}
		pm.Description = truncate(strings.Join(desc, "; "), 2000)
		m.r.People = append(m.r.People, pm)
		m.person(p, src+"/"+personElem)
	}
	m.accountIDs(a, service, src, "priorCTReports")
	if loc := a.one("estimatedLocation"); loc != nil {
		p := haven.Place{Role: haven.PlaceEstimated, City: loc.val("city"), Country: loc.val("countryCode")}
		if p.Country == "US" {
			p.State, p.Country = loc.val("region"), ""
		} else if v := loc.val("region"); v != "" {
			p.Name = v
		}
		m.r.Places = append(m.r.Places, p)
	}
	m.note(string(role)+" profile ("+src+")", a.val("profileBio"))
	m.note(string(role)+" ("+src+")", a.val("additionalInfo"))
	for i, aa := range a.all("associatedAccount") {
		asrc := fmt.Sprintf("%s/associatedAccount[%d]", src, i+1)
		asvc := aa.val("espService")
		if asvc == "" {
			asvc = aa.val("platform")
		}
		if asvc == "" {
			asvc = service
		}
		m.person(aa, asrc)
		m.accountIDs(aa, asvc, asrc, "priorCTReport")
		m.note("Associated account ("+asrc+")", aa.val("additionalInfo"))
	}
}

// accountIDs adds the identifiers of an online account: its ESP id,
// screen and display names and group on service, profile URLs, prior
// CyberTipline reports (in the element named prior), IPs and devices.
func (m *mapper) accountIDs(a *node, service, src, prior string) {
	m.id(haven.IDESPAccount, a.val("espIdentifier"), service, a.val("espIdentifier"), src+"/espIdentifier")
	m.id(haven.IDHandle, a.val("screenName"), service, a.val("screenName"), src+"/screenName")
	for _, d := range a.all("displayName") {
		m.id(haven.IDHandle, d.text, service, d.text, src+"/displayName")
	}
	for _, u := range a.all("profileUrl") {
		m.id(haven.IDURL, u.text, "", u.text, src+"/profileUrl")
	}
	m.id(haven.IDGroup, a.val("groupIdentifier"), service, a.val("groupIdentifier"), src+"/groupIdentifier")
	for _, p := range a.all(prior) {
		m.id(haven.IDPriorReport, p.text, "CyberTipline", p.text, src+"/"+prior)
	}
	m.ipEvents(a.all("ipCaptureEvent"), src)
	m.devices(a.all("deviceId"), src)
}

// person adds a person's emails, phones and addresses.
func (m *mapper) person(p *node, src string) {
	m.emails(p.all("email"), src+"/email")
	for _, ph := range p.all("phone") {
		m.phone(ph, src+"/phone")
	}
	for _, a := range p.all("address") {
		m.r.Places = append(m.r.Places, place(a, haven.PlaceHome))
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
