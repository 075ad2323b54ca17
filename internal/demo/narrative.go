package demo

import (
	"fmt"
	"strings"

	"github.com/haven-oss/haven/internal/haven"
)

// Narratives are short, plain and non-graphic: what someone noticed that
// worried them, in trauma-informed words. They never describe abuse.

// pron is the set of pronouns for a person of a given sex.
type pron struct {
	subj, obj, poss string
	plural          bool // "they" takes plural verbs
	noun            string
}

func pronouns(s haven.Sex) pron {
	switch s {
	case haven.SexFemale:
		return pron{"she", "her", "her", false, "girl"}
	case haven.SexMale:
		return pron{"he", "him", "his", false, "boy"}
	}
	return pron{"they", "them", "their", true, "teenager"}
}

func (p pron) has() string {
	if p.plural {
		return "have"
	}
	return "has"
}

func (p pron) is() string {
	if p.plural {
		return "are"
	}
	return "is"
}

func (p pron) was() string {
	if p.plural {
		return "were"
	}
	return "was"
}

// capital upper-cases the first letter of s.
func capital(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// article puts "a" or "an" before a noun phrase.
func article(s string) string {
	if s != "" && strings.ContainsRune("aeiou", rune(s[0])) {
		return "an " + s
	}
	return "a " + s
}

// possessive returns "PicPost's", or "LocalListings'".
func possessive(name string) string {
	if strings.HasSuffix(name, "s") {
		return name + "'"
	}
	return name + "'s"
}

// indicatorSentences says, for each indicator id, what a reporter noticed.
var indicatorSentences = map[string]func(p pron) string{
	"runs_away_frequently": func(p pron) string {
		return capital(p.subj) + " " + p.has() + " run away several times this year, once for more than a week."
	},
	"cash_cards_hotel_keys": func(p pron) string {
		return "A hotel key card, a prepaid card and cash were found among " + p.poss + " things."
	},
	"multiple_phones": func(p pron) string { return capital(p.subj) + " " + p.has() + " been seen with two phones." },
	"new_expensive_items": func(p pron) string {
		return capital(p.subj) + " came back with new clothes and shoes and would not say who paid for them."
	},
	"older_partner": func(p pron) string {
		return capital(p.subj) + " " + p.has() + " talked about a much older partner met online."
	},
	"id_held_by_other": func(p pron) string {
		return capital(p.poss) + " ID card is missing; a friend says an adult is holding it."
	},
	"coached_speech": func(p pron) string {
		return "On a phone call, another person could be heard telling " + p.obj + " what to say."
	},
	"branding_tattoo": func(p pron) string {
		return capital(p.subj) + " " + p.has() + " a new tattoo of a name that " + p.subj + " will not explain."
	},
	"living_in_motel": func(p pron) string {
		return "A friend says " + p.subj + " " + p.has() + " been staying at a motel."
	},
	"unfamiliar_with_area": func(p pron) string {
		return capital(p.subj) + " did not know which city " + p.subj + " " + p.was() + " in."
	},
	"references_the_life": func(p pron) string {
		return "Friends heard " + p.obj + " talk about \"the game\" and trips to other cities."
	},
	"signs_of_abuse": func(p pron) string {
		return capital(p.subj) + " had bruises on " + p.poss + " arms the last time " + p.subj + " " + p.was() + " seen."
	},
	"online_ads": func(p pron) string { return "A relative thinks a photo in an online listing may show " + p.obj + "." },
}

// indicatorText joins the sentences for the given indicator ids.
func indicatorText(ids []string, p pron) string {
	var parts []string
	for _, id := range ids {
		if f, ok := indicatorSentences[id]; ok {
			parts = append(parts, f(p))
		}
	}
	return strings.Join(parts, " ")
}

// narrative assembles a report narrative from sentences, after the Marker.
func narrative(sentences ...string) string {
	var b strings.Builder
	b.WriteString(Marker)
	for _, s := range sentences {
		if s = strings.TrimSpace(s); s != "" {
			b.WriteByte(' ')
			b.WriteString(s)
		}
	}
	return b.String()
}

// missingNarrative describes one missing episode of a child on file.
func (g *gen) missingNarrative(k *kid, episode, age int, city string, indicators []string) string {
	c := k.child(g.d)
	p := k.p
	who := fmt.Sprintf("%s, %d,", c.FirstName, age)
	var first string
	switch k.typ {
	case haven.MissingEndangeredRunaway:
		if k.inCare {
			first = fmt.Sprintf("%s did not return to %s %s in %s after school. The caseworker reported %s missing to local police and to the clearinghouse.",
				who, p.poss, k.placement, city, p.obj)
		} else {
			when := g.pick([]string{"in the evening", "during the night", "after an argument at home", "after school"})
			first = fmt.Sprintf("%s left home in %s %s and has not come back. %s took a backpack and %s phone, which now goes to voicemail.",
				who, city, when, capital(p.subj), p.poss)
		}
	case haven.MissingFamilyAbduction:
		first = fmt.Sprintf("%s was not returned after a weekend visit with a parent who does not have custody. The parent's phone is switched off and a relative thinks they may have left %s.",
			who, city)
	case haven.MissingNonfamilyAbduction:
		first = fmt.Sprintf("%s was last seen walking home from school in %s. A neighbour saw %s speaking with an unknown adult beside %s shortly before.",
			who, city, p.obj, article(g.pick(vehicles)))
	case haven.MissingLostInjured:
		first = g.pick([]string{
			fmt.Sprintf("%s became separated from family during an outing near %s and has not been found.", who, city),
			fmt.Sprintf("%s left home in %s on foot and needs daily medication.", who, city),
		})
	case haven.MissingYoungAdult:
		first = fmt.Sprintf("%s left %s supported-living home in %s and has not been seen since. %s %s a medical condition that needs daily treatment.",
			who, p.poss, city, capital(p.subj), p.has())
	}
	again := ""
	if episode > 0 {
		again = fmt.Sprintf("This is the %s time %s %s been reported missing this year.", ordinal(episode+1), p.subj, p.has())
	}
	return narrative(first, again, indicatorText(indicators, p))
}

func ordinal(n int) string {
	switch n {
	case 1:
		return "first"
	case 2:
		return "second"
	case 3:
		return "third"
	case 4:
		return "fourth"
	}
	return fmt.Sprintf("%dth", n)
}

// subject is the child a non-missing report is about, as the reporter
// describes them: a child on file by name, a named child not on file, or a
// child whose name the reporter does not know.
type subject struct {
	kid   *kid // nil when not on file
	link  bool // the mention is confirmed as kid (People[0].ChildID)
	first string
	last  string
	nick  string
	age   int
	sex   haven.Sex
	jur   int
	p     pron
}

// phrase is how sentences name the subject: "Ava, 15," or "a girl who looks
// about 15".
func (s subject) phrase() string {
	switch {
	case s.first != "":
		return fmt.Sprintf("%s, %d,", s.first, s.age)
	case s.nick != "":
		return fmt.Sprintf("a %s called \"%s\", about %d,", s.p.noun, s.nick, s.age)
	}
	return fmt.Sprintf("a %s who looks about %d", s.p.noun, s.age)
}

// concernText is the body of a tip, a hotline call, an API or imported
// report: what was seen, and with whom.
func (g *gen) concernText(s subject, nw *network, city string) string {
	p := s.p
	adult := "an older man"
	if nw != nil && nw.sex == haven.SexFemale {
		adult = "an older woman"
	}
	return capital(g.pick([]string{
		fmt.Sprintf("%s has been coming and going with %s who does all the talking for %s.", s.phrase(), adult, p.obj),
		fmt.Sprintf("%s is dropped off and picked up at all hours by different adults in %s.", s.phrase(), article(g.vehicle(nw))),
		fmt.Sprintf("%s told a friend that an adult %s met online pays for %s phone and hotel rooms.", s.phrase(), p.subj, p.poss),
		fmt.Sprintf("%s seemed afraid to speak while %s stood close by, holding %s phone and ID.", s.phrase(), adult, p.poss),
		fmt.Sprintf("%s has been posting photos from hotels in %s, far from home, and an adult keeps offering %s a place to stay.", s.phrase(), city, p.obj),
	}))
}

func (g *gen) vehicle(nw *network) string {
	if nw != nil {
		return nw.vehicle
	}
	return g.pick(vehicles)
}
