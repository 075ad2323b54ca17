package demo

import (
	"fmt"
	"strings"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

// addReport appends a report with its links and returns its index.
func (g *gen) addReport(r *haven.Report, l ReportLinks) int {
	g.d.Reports = append(g.d.Reports, r)
	g.d.ReportLinks = append(g.d.ReportLinks, l)
	return len(g.d.Reports) - 1
}

func noLinks() ReportLinks { return ReportLinks{Agency: -1, Child: -1, CreatedBy: -1, AssignedTo: -1} }

// handle sets a report's status, its holder and its analyst from its age:
// recent reports are new or in review, older ones referred or closed.
func (g *gen) handle(r *haven.Report, l *ReportLinks, j int) {
	age := g.base.Sub(r.ReceivedAt)
	switch {
	case r.Channel == haven.ChannelImport:
		r.Status = []haven.ReportStatus{haven.ReportReferred, haven.ReportClosed}[g.weighted(20, 80)]
	case age < 48*time.Hour:
		r.Status = []haven.ReportStatus{haven.ReportNew, haven.ReportInReview}[g.weighted(65, 35)]
	case age < 14*24*time.Hour:
		r.Status = []haven.ReportStatus{haven.ReportNew, haven.ReportInReview, haven.ReportReferred}[g.weighted(15, 40, 45)]
	default:
		r.Status = []haven.ReportStatus{haven.ReportInReview, haven.ReportReferred, haven.ReportClosed}[g.weighted(5, 45, 50)]
	}
	if r.Status == haven.ReportInReview || (r.Status != haven.ReportNew && g.chance(0.8)) {
		l.AssignedTo = g.analysts[g.r.IntN(len(g.analysts))]
	}
	if l.Agency < 0 && (r.Status == haven.ReportReferred || (r.Status == haven.ReportClosed && g.chance(0.5))) {
		l.Agency = g.referralAgency(j)
	}
}

// referralAgency picks the agency a report in jurisdiction j goes to.
func (g *gen) referralAgency(j int) int {
	switch {
	case g.localPolice[j] >= 0 && g.chance(0.3):
		return g.localPolice[j]
	case containsInt(g.regionalStates, j) && g.chance(0.2):
		return g.regional
	case g.chance(0.03):
		return g.taskForce
	}
	return g.statePolice[j]
}

// triage applies the starting rule set of the domain spec.
func triage(r *haven.Report, imminent bool) haven.Priority {
	switch {
	case imminent:
		return haven.P1
	case r.IncidentType == haven.IncidentMissingChild:
		return haven.P2 // a child missing when the report came in
	}
	if r.IncidentType.Alleges() {
		for _, p := range r.People {
			if p.Role == haven.PersonChild && (p.FirstName != "" || p.LastName != "") {
				return haven.P3
			}
		}
		for _, id := range r.Identifiers {
			if id.Kind == haven.IDHandle && id.Platform != "" && id.Source == "child" {
				return haven.P3
			}
		}
	}
	return haven.P4
}

// pickIndicators returns n distinct indicator ids in taxonomy order.
func (g *gen) pickIndicators(n int, must ...string) []string {
	chosen := make([]bool, len(Indicators))
	for i, id := range Indicators {
		chosen[i] = containsString(must, id)
	}
	have := 0
	for _, c := range chosen {
		if c {
			have++
		}
	}
	for _, x := range g.r.Perm(len(Indicators)) {
		if have >= n {
			break
		}
		if !chosen[x] {
			chosen[x], have = true, have+1
		}
	}
	var out []string
	for i, c := range chosen {
		if c {
			out = append(out, Indicators[i])
		}
	}
	return out
}

func containsString(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func place(role haven.PlaceRole, name, city string, j int) haven.Place {
	return haven.Place{Role: role, Name: name, City: city, State: jurisdictions[j].code}
}

func phoneID(e164, written, source string) haven.Identifier {
	return haven.Identifier{Kind: haven.IDPhone, Value: e164, Raw: written, Source: source}
}

// --- missing-child reports --------------------------------------------------

// missingReports writes one missing-child report per episode of every child.
func (g *gen) missingReports() {
	tx := jurIndex("TX")
	for _, k := range g.kid {
		c := k.child(g.d)
		for e, at := range k.episodes {
			j := k.jur
			city := g.city(j)
			age := haven.AgeAt(*c.DateOfBirth, at)
			n := g.weighted(50, 30, 15, 5)
			var must []string
			if e > 0 {
				must = append(must, "runs_away_frequently")
			}
			if k.yes {
				n += 2
			}
			var ind []string
			if k.typ == haven.MissingEndangeredRunaway {
				ind = g.pickIndicators(n, must...)
			}
			lastSeen := at.Add(-time.Duration(g.between(60, 30*60)) * time.Minute)
			if k.inCare && g.chance(0.15) { // reported late: past the 24-hour statutory clock
				lastSeen = at.Add(-time.Duration(g.between(26, 60)) * time.Hour)
			}
			r := &haven.Report{
				Channel: haven.ChannelMissingChild, IncidentType: haven.IncidentMissingChild, MissingType: k.typ,
				MissingFromCare: k.inCare, ReceivedAt: at, IncidentAt: &lastSeen,
				Narrative:  g.missingNarrative(k, e, age, city, ind),
				Places:     []haven.Place{place(haven.PlaceLastSeen, "", city, j)},
				Indicators: ind,
			}
			childMention := haven.PersonMention{
				Role: haven.PersonChild, FirstName: c.FirstName, LastName: c.LastName, DateOfBirth: c.DateOfBirth,
				Sex: c.Sex, Description: strings.TrimSpace(strings.TrimPrefix(c.Description, ChildMarker)), City: city, State: c.State,
			}
			if len(c.Nicknames) > 0 {
				childMention.Nickname = c.Nicknames[0]
			}
			r.People = append(r.People, childMention)
			l := noLinks()
			l.Child = k.idx
			if k.inCare {
				cw := g.d.Agencies[g.childWelfare[j]]
				first, last, _ := strings.Cut(k.guardian, " ")
				r.Reporter = haven.Contact{Name: k.guardian, Organization: cw.Name, Relationship: "child_welfare_worker",
					Phone: cw.Phone24x7, Email: g.email(first, last), Language: "en"}
				r.People = append(r.People, haven.PersonMention{Role: haven.PersonReporter, FirstName: first, LastName: last,
					Description: "Caseworker, " + strings.TrimSuffix(cw.Name, " (demo)") + "."})
				l.Agency = g.childWelfare[j]
				if j == tx {
					l.CreatedBy = g.childWelfareUser
					if g.chance(0.3) {
						l.CreatedBy = g.fosterParent
					}
				}
			} else {
				first, last, _ := strings.Cut(k.guardian, " ")
				e164, _ := g.phone(j)
				r.Reporter = haven.Contact{Name: k.guardian, Relationship: "parent_guardian", Phone: e164, Email: g.email(first, last), Language: "en"}
				if j == jurIndex("PR") || g.chance(0.1) {
					r.Reporter.Language = "es"
				}
				r.People = append(r.People, haven.PersonMention{Role: haven.PersonOther, FirstName: first, LastName: last,
					Description: "Parent and legal guardian."})
			}
			switch k.typ {
			case haven.MissingFamilyAbduction:
				r.People = append(r.People, haven.PersonMention{Role: haven.PersonSuspect, FirstName: g.pick(adultNames), LastName: c.LastName,
					Description: fmt.Sprintf("Parent without custody, about %d; drives a %s.", g.between(28, 45), g.pick(vehicles))})
			case haven.MissingNonfamilyAbduction:
				r.People = append(r.People, haven.PersonMention{Role: haven.PersonSuspect,
					Description: fmt.Sprintf("Unknown adult, about %d, seen beside a %s.", g.between(25, 55), g.pick(vehicles))})
			}
			if k.phone[0] != "" {
				r.Identifiers = append(r.Identifiers, phoneID(k.phone[0], k.phone[1], "child"))
			}
			if k.handle != nil {
				h := *k.handle
				h.Source = "child"
				r.Identifiers = append(r.Identifiers, h)
			}
			if k.yes && (e > 0 || g.chance(0.4)) { // a number the child kept calling
				nw := g.nets[k.net]
				r.Identifiers = append(r.Identifiers, phoneID(nw.phones[0][0], nw.phones[0][1], "narrative"))
				r.Narrative += fmt.Sprintf(" %s phone records show many calls to %s in the days before.", capital(k.p.poss), nw.phones[0][1])
			}
			r.Priority = triage(r, false)
			g.handle(r, &l, j)
			if k.stillOut && e == len(k.episodes)-1 && r.Status == haven.ReportClosed {
				r.Status = haven.ReportReferred
			}
			k.reports = append(k.reports, g.addReport(r, l))
		}
	}
}

// --- the other channels -----------------------------------------------------

// slots returns the channels of the reports that are not missing-child
// reports, shuffled.
func (g *gen) slots(counts map[haven.Channel]int) []haven.Channel {
	var out []haven.Channel
	for _, c := range haven.Channels {
		if c == haven.ChannelMissingChild {
			continue
		}
		for i := 0; i < counts[c]; i++ {
			out = append(out, c)
		}
	}
	g.r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// concernReports writes, for each likely victim, one report (a tip, call,
// ESP or API report) that names the child and ties them to their network,
// and returns the slots left.
func (g *gen) concernReports(slots []haven.Channel) []haven.Channel {
	used := 0 // slots[:used] are taken
	for _, k := range g.kid {
		if !k.yes {
			continue
		}
		i := used
		for i < len(slots) && slots[i] == haven.ChannelImport { // imports are old: before the child went missing
			i++
		}
		if i == len(slots) {
			break
		}
		slots[used], slots[i] = slots[i], slots[used]
		ch := slots[used]
		used++
		c := k.child(g.d)
		nw := g.nets[k.net]
		first := k.episodes[0]
		at := first.Add(time.Duration(g.r.Int64N(int64(g.base.Sub(first)) + 1)))
		s := subject{kid: k, link: true, first: c.FirstName, last: c.LastName, age: haven.AgeAt(*c.DateOfBirth, at), sex: c.Sex,
			jur: nw.jurs[g.r.IntN(len(nw.jurs))], p: k.p}
		if g.chance(0.3) {
			s.last = ""
		}
		if len(c.Nicknames) > 0 && g.chance(0.3) {
			s.nick = c.Nicknames[0]
		}
		idx := g.report(ch, at.Truncate(time.Second), s, nw, 2+g.r.IntN(3))
		k.reports = append(k.reports, idx)
	}
	return slots[used:]
}

// otherReports fills the remaining slots: four in ten about a network, the
// rest standalone; some mention a runaway on file without being linked to
// them (for linking to find).
func (g *gen) otherReports(slots []haven.Channel) {
	run := g.runaways()
	for _, ch := range slots {
		var at time.Time
		switch {
		case ch == haven.ChannelImport:
			at = g.ago(365*24*time.Hour, 3*365*24*time.Hour)
		case g.chance(0.05): // a busy last few days, so that queues have new work
			at = g.ago(0, 72*time.Hour)
		default:
			at = g.ago(0, 365*24*time.Hour)
		}
		var nw *network
		if g.chance(0.4) {
			nw = g.nets[g.r.IntN(len(g.nets))]
		}
		s := subject{age: 12 + g.weighted(4, 8, 16, 26, 28, 18), jur: g.jur()}
		if nw != nil {
			s.jur = nw.jurs[g.r.IntN(len(nw.jurs))]
		}
		switch x := g.r.Float64(); {
		case x < 0.08 && len(run) > 0 && ch != haven.ChannelImport:
			k := run[g.r.IntN(len(run))]
			c := k.child(g.d)
			s.kid, s.sex, s.p, s.age = k, c.Sex, k.p, haven.AgeAt(*c.DateOfBirth, at)
			if len(c.Nicknames) > 0 {
				s.nick = c.Nicknames[0]
			} else {
				s.first = c.FirstName
			}
		case x < 0.4:
			s.sex = []haven.Sex{haven.SexFemale, haven.SexMale}[g.weighted(70, 30)]
			s.p = pronouns(s.sex)
			if s.sex == haven.SexFemale {
				s.first = g.pick(girlNames)
			} else {
				s.first = g.pick(boyNames)
			}
			if g.chance(0.5) {
				s.last = g.pick(surnames)
			}
		default:
			s.sex = []haven.Sex{haven.SexFemale, haven.SexMale, haven.SexUnknown}[g.weighted(65, 25, 10)]
			s.p = pronouns(s.sex)
		}
		g.report(ch, at, s, nw, g.weighted(30, 35, 25, 10))
	}
}

// report writes one report from a channel other than missing_child about
// subject s, naming network nw (nil for none), with n indicators.
func (g *gen) report(ch haven.Channel, at time.Time, s subject, nw *network, n int) int {
	j := s.jur
	city := g.city(j)
	ind := g.pickIndicators(n)
	r := &haven.Report{Channel: ch, ReceivedAt: at, Indicators: ind}
	l := noLinks()
	if s.link {
		l.Child = s.kid.idx
	}
	if g.chance(0.6) {
		t := at.Add(-time.Duration(g.between(1, 96)) * time.Hour)
		r.IncidentAt = &t
	} else {
		r.IncidentTimeText = g.pick([]string{"last weekend", "over the past few weeks", "most nights this month", "a few days ago", "since the summer"})
	}

	// The child, first (ReportLinks.Child refers to People[0]).
	child := haven.PersonMention{Role: haven.PersonChild, FirstName: s.first, LastName: s.last, Nickname: s.nick, Sex: s.sex, State: jurisdictions[j].code}
	age := s.age
	child.Age = &age
	child.Description = fmt.Sprintf("Looks about %d; %s hair.", s.age, g.pick(hairColours))
	r.People = append(r.People, child)
	if nw != nil {
		susp := haven.PersonMention{Role: haven.PersonSuspect, Nickname: nw.nick, Sex: nw.sex,
			Description: fmt.Sprintf("Adult, about %d; drives a %s.", nw.age, nw.vehicle)}
		if g.chance(0.3) {
			susp.FirstName = nw.first
		}
		r.People = append(r.People, susp)
	} else if g.chance(0.5) {
		r.People = append(r.People, haven.PersonMention{Role: haven.PersonSuspect, Sex: haven.SexMale,
			Description: fmt.Sprintf("Adult man, about %d.", g.between(20, 55))})
	}
	if nw != nil && g.chance(0.2) {
		r.People = append(r.People, haven.PersonMention{Role: haven.PersonBuyer, Sex: haven.SexMale, Description: nw.buyerDesc})
	}

	// Identifiers: the network's, the child's, or fresh ones.
	var idText []string
	addNet := func(kinds ...haven.IdentifierKind) {
		for _, kind := range kinds {
			switch kind {
			case haven.IDPhone:
				ph := nw.phones[g.r.IntN(len(nw.phones))]
				r.Identifiers = append(r.Identifiers, phoneID(ph[0], ph[1], "narrative"))
				idText = append(idText, "The adult uses the number "+ph[1]+".")
			case haven.IDHandle:
				h := nw.handle
				h.Source = "narrative"
				r.Identifiers = append(r.Identifiers, h)
				idText = append(idText, fmt.Sprintf("The adult's account is %s on %s.", h.Raw, h.Platform))
			case haven.IDEmail:
				r.Identifiers = append(r.Identifiers, haven.Identifier{Kind: haven.IDEmail, Value: nw.email, Raw: nw.email, Source: "narrative"})
				idText = append(idText, "An e-mail address linked to the adult is "+nw.email+".")
			case haven.IDPayment:
				p := nw.payment
				p.Source = "narrative"
				r.Identifiers = append(r.Identifiers, p)
				idText = append(idText, fmt.Sprintf("Money was sent to %s on %s.", p.Raw, p.Platform))
			case haven.IDURL:
				r.Identifiers = append(r.Identifiers, haven.Identifier{Kind: haven.IDURL, Value: nw.listing, Raw: nw.listing, Source: "narrative"})
				idText = append(idText, "A listing that may show the child is at "+nw.listing+".")
			}
		}
	}
	if nw != nil && ch != haven.ChannelESP {
		addNet(haven.IDPhone)
		if g.chance(0.5) {
			addNet(haven.IDHandle)
		}
		if g.chance(0.25) {
			addNet(haven.IDEmail)
		}
		if g.chance(0.2) {
			addNet(haven.IDPayment)
		}
		if g.chance(0.3) {
			addNet(haven.IDURL)
		}
	} else if nw == nil && ch != haven.ChannelESP && g.chance(0.6) {
		e164, w := g.phone(j)
		r.Identifiers = append(r.Identifiers, phoneID(e164, w, "narrative"))
		idText = append(idText, "The adult uses the number "+w+".")
	}
	if s.kid != nil && s.kid.handle != nil && (s.link || g.chance(0.5)) {
		h := *s.kid.handle
		h.Source = "child"
		r.Identifiers = append(r.Identifiers, h)
		idText = append(idText, fmt.Sprintf("The young person's own account is %s on %s.", h.Raw, h.Platform))
	}

	imminent := false
	var body []string
	switch ch {
	case haven.ChannelPublicTip:
		r.IncidentType = []haven.IncidentType{haven.IncidentSexTrafficking, haven.IncidentEnticement, haven.IncidentOther}[g.weighted(70, 15, 15)]
		venue := g.pick(venues)
		r.Places = []haven.Place{place(haven.PlaceIncident, capital(venue), city, j)}
		intro := g.pick([]string{"I work at %s in %s.", "I live near %s in %s.", "I often stop at %s in %s."})
		body = append(body, fmt.Sprintf(intro, article(venue), city), g.concernText(s, nw, city))
		imminent = g.chance(0.04)
		if imminent {
			body = append(body, "I overheard that they plan to drive to another state tonight.")
		}
		r.Reporter = g.publicReporter(j)
	case haven.ChannelHotline:
		r.IncidentType = []haven.IncidentType{haven.IncidentSexTrafficking, haven.IncidentEnticement, haven.IncidentOther}[g.weighted(75, 15, 10)]
		r.Places = []haven.Place{place(haven.PlaceIncident, "", city, j)}
		caller := g.pick(callerTypes)
		body = append(body, fmt.Sprintf("Caller is a %s in %s.", callerLabels[caller], city), g.concernText(s, nw, city))
		imminent = g.chance(0.15)
		if imminent {
			body = append(body, fmt.Sprintf("Caller says the young person is with the adult now at a motel in %s and they plan to travel tonight. Imminent danger: escalated to law enforcement during the call.", city))
		}
		r.Reporter = g.publicReporter(j)
		r.Reporter.Relationship = caller
		if !r.Reporter.Anonymous {
			first, last, _ := strings.Cut(r.Reporter.Name, " ")
			r.People = append(r.People, haven.PersonMention{Role: haven.PersonReporter, FirstName: first, LastName: last, Description: "Caller (" + callerLabels[caller] + ")."})
		}
		l.CreatedBy = g.hotline
	case haven.ChannelESP:
		g.espReport(r, s, nw, city, j)
		imminent = g.chance(0.08)
		if imminent {
			r.Narrative += " The messages arrange a meeting in person within the next two days. The provider asked for this report to be escalated."
		}
	case haven.ChannelAPI:
		r.IncidentType = []haven.IncidentType{haven.IncidentSexTrafficking, haven.IncidentEnticement}[g.weighted(80, 20)]
		r.Places = []haven.Place{place(haven.PlaceIncident, "", city, j)}
		org := g.d.Agencies[g.provider].Name
		if g.chance(0.5) {
			org = g.d.Agencies[g.childWelfare[j]].Name
		}
		body = append(body, fmt.Sprintf("Submitted by %s through the JSON API.", strings.TrimSuffix(org, " (demo)")), g.concernText(s, nw, city))
		r.Reporter = haven.Contact{Name: "Intake desk", Organization: org, Relationship: "service_provider", Email: "intake@example.com", Language: "en"}
		imminent = g.chance(0.03)
		if imminent {
			body = append(body, "Staff believe the young person is leaving with the adult today.")
		}
	case haven.ChannelImport:
		r.IncidentType = []haven.IncidentType{haven.IncidentSexTrafficking, haven.IncidentEnticement, haven.IncidentOther}[g.weighted(60, 25, 15)]
		r.Places = []haven.Place{place(haven.PlaceIncident, "", city, j)}
		body = append(body, fmt.Sprintf("Migrated from the previous system (record LEGACY-%d-%05d).", at.Year(), g.r.IntN(100000)), g.concernText(s, nw, city))
		r.Reporter = haven.Contact{Anonymous: true}
	}
	if ch != haven.ChannelESP {
		body = append(body, indicatorText(ind, s.p))
		body = append(body, idText...)
		r.Narrative = narrative(body...)
	}
	r.Priority = triage(r, imminent)
	g.handle(r, &l, j)
	return g.addReport(r, l)
}

// publicReporter is a member of the public: anonymous half the time.
func (g *gen) publicReporter(j int) haven.Contact {
	if g.chance(0.5) {
		return haven.Contact{Anonymous: true, Relationship: "concerned_person", Language: "en"}
	}
	first, last := g.pick(adultNames), g.pick(surnames)
	e164, _ := g.phone(j)
	c := haven.Contact{Name: first + " " + last, Phone: e164, Email: g.email(first, last), Relationship: "concerned_person", Language: "en"}
	if jurisdictions[j].code == "PR" || g.chance(0.1) {
		c.Language = "es"
	}
	return c
}

// espReport fills in a report from an online service provider: the
// provider's account identifiers (account id, handle, IP, profile URL,
// e-mail) and a short description of what its safety team saw.
func (g *gen) espReport(r *haven.Report, s subject, nw *network, city string, j int) {
	pl := platforms[g.r.IntN(len(platforms))]
	var handle haven.Identifier
	var account, email, ip string
	if nw != nil {
		if g.chance(0.7) {
			pl = nw.platform
		}
		handle, account, email, ip = nw.handle, nw.account, nw.email, nw.ip
		handle.Platform = pl.name
		if !g.chance(0.6) {
			ip = docIP(g.r)
		}
	} else {
		h := fmt.Sprintf("demo_%s_%d", g.pick(handleWords), g.between(10, 99))
		handle = haven.Identifier{Kind: haven.IDHandle, Value: h, Platform: pl.name, Raw: "@" + h}
		account = fmt.Sprintf("%d", 100000+g.r.IntN(900000))
		email = g.email("demo", g.pick(handleWords))
		ip = docIP(g.r)
	}
	handle.Source = "reported_user"
	profile := fmt.Sprintf("https://%s.example.com/u/%s", pl.slug, handle.Value)
	r.Identifiers = append([]haven.Identifier{
		{Kind: haven.IDESPAccount, Value: account, Platform: pl.name, Raw: account, Source: "reported_user"},
		handle,
		{Kind: haven.IDEmail, Value: email, Raw: email, Source: "reported_user"},
		{Kind: haven.IDIP, Value: ip, Raw: ip, Source: "reported_user"},
		{Kind: haven.IDURL, Value: profile, Raw: profile, Source: "reported_user"},
	}, r.Identifiers...)
	if nw != nil && g.chance(0.3) {
		ph := nw.phones[0]
		r.Identifiers = append(r.Identifiers, phoneID(ph[0], ph[1], "reported_user"))
	}
	r.Indicators = nil // set below for listings: a provider reports what it saw, not red flags
	r.Places = []haven.Place{place(haven.PlaceEstimated, "IP geolocation", city, j)}
	r.Reporter = haven.Contact{Name: "Trust and Safety team", Organization: pl.name + " (demo)", Relationship: "esp",
		Email: "safety-" + pl.slug + "@example.com", Language: "en"}
	who := fmt.Sprintf("a user who says %s %s %d", s.p.subj, s.p.is(), s.age)
	if s.first != "" {
		who = fmt.Sprintf("a user named %s who says %s %s %d", s.first, s.p.subj, s.p.is(), s.age)
	}
	if g.chance(0.55) {
		r.IncidentType = haven.IncidentEnticement
		r.Narrative = narrative(fmt.Sprintf("%s safety team found that the account %s sent repeated messages to %s, offering money and gifts and asking to meet in person near %s.",
			possessive(pl.name), handle.Raw, who, city))
	} else if g.chance(0.9) {
		r.IncidentType = haven.IncidentSexTrafficking
		r.Indicators = []string{"online_ads"}
		r.Narrative = narrative(fmt.Sprintf("%s safety team found that the account %s posted listings that may show a %s of about %d and ask for payment to meet; the listings name %s.",
			possessive(pl.name), handle.Raw, s.p.noun, s.age, city))
	} else {
		r.IncidentType = haven.IncidentOther
		r.Narrative = narrative(fmt.Sprintf("%s safety team found that the account %s asked %s for personal details and a home address.", possessive(pl.name), handle.Raw, who))
	}
}
