package demo

import (
	"context"
	"fmt"

	"github.com/haven-oss/haven/internal/haven"
)

// Loaded is what Load stored.
type Loaded struct {
	Users                              []LoadedUser // in Dataset.Users order
	Agencies, Children, Reports, Cases int
}

// LoadedUser is a demo account as stored, with what its user needs to sign
// in: the shared demo password and the account's own TOTP secret (base32),
// which `haven demo` prints.
type LoadedUser struct {
	User       *haven.User
	Agency     string // the agency's name; "" for clearinghouse staff
	Password   string
	TOTPSecret string
}

// reportBatch is how many reports Load stores per transaction.
const reportBatch = 1000

// Load stores d through svc as the operator "demo" (haven.System("demo")):
// agencies, users, children, reports and cases, in that order, each through
// the service method that validates and audits it. Reports go in batches
// through Service.ImportReports. Load fills in the IDs of d's records (and
// the IDs their references resolve to), so a Dataset is loaded once, into a
// database that holds no demo records yet (agency and user names are unique).
// On error, what was stored before the failing step stays stored.
func Load(ctx context.Context, svc *haven.Service, d *Dataset) (*Loaded, error) {
	a := haven.System("demo")
	out := &Loaded{}
	agencyID := func(i int) int64 {
		if i < 0 {
			return 0
		}
		return d.Agencies[i].ID
	}
	for _, ag := range d.Agencies {
		if err := svc.CreateAgency(ctx, a, ag); err != nil {
			return out, fmt.Errorf("demo: agency %q: %w", ag.Name, err)
		}
		out.Agencies++
	}
	userIDs := make([]int64, len(d.Users))
	userID := func(i int) int64 {
		if i < 0 {
			return 0
		}
		return userIDs[i]
	}
	for i, du := range d.Users {
		nu := du.User
		nu.AgencyID = agencyID(du.Agency)
		u, secret, err := svc.CreateUser(ctx, a, nu)
		if err != nil {
			return out, fmt.Errorf("demo: user %q: %w", nu.Username, err)
		}
		userIDs[i] = u.ID
		lu := LoadedUser{User: u, Password: nu.Password, TOTPSecret: secret}
		if du.Agency >= 0 {
			lu.Agency = d.Agencies[du.Agency].Name
		}
		out.Users = append(out.Users, lu)
	}
	for i, c := range d.Children {
		c.AgencyID = agencyID(d.ChildAgency[i])
		if err := svc.CreateChild(ctx, a, c); err != nil {
			return out, fmt.Errorf("demo: child %d: %w", i, err)
		}
		out.Children++
	}
	for i, r := range d.Reports {
		l := d.ReportLinks[i]
		r.AgencyID, r.CreatedBy, r.AssignedTo = agencyID(l.Agency), userID(l.CreatedBy), userID(l.AssignedTo)
		if l.Child >= 0 {
			r.People[0].ChildID = d.Children[l.Child].ID
		}
	}
	for start := 0; start < len(d.Reports); start += reportBatch {
		batch := d.Reports[start:min(start+reportBatch, len(d.Reports))]
		if err := svc.ImportReports(ctx, a, batch); err != nil {
			return out, fmt.Errorf("demo: reports %d–%d: %w", start, start+len(batch)-1, err)
		}
		out.Reports += len(batch)
	}
	for i, dc := range d.Cases {
		c := dc.Case
		c.ChildID = d.Children[dc.Child].ID
		c.AgencyID, c.AssignedTo = agencyID(dc.Agency), userID(dc.AssignedTo)
		c.ReportIDs = c.ReportIDs[:0]
		for _, ri := range dc.Reports {
			c.ReportIDs = append(c.ReportIDs, d.Reports[ri].ID)
		}
		if err := svc.CreateCase(ctx, a, c); err != nil {
			return out, fmt.Errorf("demo: case %d: %w", i, err)
		}
		out.Cases++
	}
	return out, nil
}
