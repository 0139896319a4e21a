package sandbox

import (
	"fmt"
	"log/slog"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/keeltrade/keel/venue/tradovate/wire"
)

// Domain is an API-key permission domain. Tradovate lets a user grant an
// API key access per domain (Trader → Application Settings → API Access);
// a domain not granted answers 401 to every operation in it.
type Domain string

// Permission domains, after the spec's operation tags.
const (
	DomainAccounting      Domain = "Accounting"      // account, cashBalance
	DomainContractLibrary Domain = "ContractLibrary" // contract, product, contractMaturity, productSession
	DomainOrders          Domain = "Orders"          // order, orderVersion, command, commandReport, executionReport
	DomainPositions       Domain = "Positions"       // position, fill, fillPair
	DomainUsers           Domain = "Users"           // user, user/syncrequest, auth/me
	DomainMarketData      Domain = "MarketData"      // md/*
)

// Access is what an API key may do in a domain.
type Access uint8

// Access levels. The zero Access is Denied.
const (
	Denied   Access = iota // every operation answers 401
	ReadOnly               // reads work; order entry answers 401
	Full                   // everything works
)

// UserConfig is one Tradovate user of the sandbox, with its credentials,
// entitlements and API-key permissions. The user gets one account in each
// environment (demo, live, replay).
type UserConfig struct {
	Name     string // login name
	Password string
	UserID   int64 // default 15460 + index
	Email    string
	// CID and Sec are the user's API key. When either is set, a token
	// request must carry both; when both are zero any cid/sec is accepted.
	CID int64
	Sec string
	// AppID is the ready-made credential's app name; not enforced.
	AppID string
	// DeviceID is approved at start, with ApprovedDevices.
	DeviceID        string
	ApprovedDevices []string
	// Status is the userStatus; default "Active".
	Status string
	// Entitlements reported by the token response. HasMarketData false
	// makes md subscriptions answer 401.
	HasLive, HasMarketData, HasFunded bool
	// Outdated terms block order entry where Rules.EnforceTerms is set.
	OutdatedTaC, OutdatedLiquidationPolicy bool
	// Permissions are the API key's domains; nil grants Full everywhere,
	// otherwise a domain not listed is Denied, as on Tradovate.
	Permissions map[Domain]Access
	// Balance is the starting cash of the user's accounts; zero means
	// Config.InitialBalance.
	Balance decimal.Decimal
}

// Ready-made API key secret and device id of DefaultUser. Clients type
// both as UUIDs, so they are UUIDs: fixed ones (the version-5 UUIDs of
// https://github.com/keeltrade/keel/sandbox/sec and …/deviceId in the URL
// namespace), the same on every run and on every machine. They are no
// secret: they work only against a sandbox.
const (
	DefaultSec      = "4a3ae950-193e-5792-ad13-c3cafb6ecc05"
	DefaultDeviceID = "8de822d5-38c2-5a46-ae79-b23d9e982c8c"
)

// DefaultUser is the ready-made user of a default server: the same name,
// password, cid, sec (DefaultSec) and approved device (DefaultDeviceID)
// on every run.
func DefaultUser() UserConfig {
	return UserConfig{
		Name:          "keeltest",
		Password:      "keel-sandbox-password",
		UserID:        15460,
		Email:         "keeltest@example.invalid",
		CID:           8,
		Sec:           DefaultSec,
		AppID:         "keel",
		DeviceID:      DefaultDeviceID,
		Status:        wire.UserActive,
		HasLive:       true,
		HasMarketData: true,
		HasFunded:     true,
	}
}

func (u UserConfig) withDefaults(i int) UserConfig {
	if u.UserID == 0 {
		u.UserID = 15460 + int64(i)
	}
	if u.Status == "" {
		u.Status = wire.UserActive
	}
	if u.Email == "" {
		u.Email = u.Name + "@example.invalid"
	}
	return u
}

func (u UserConfig) validate(field string) error {
	switch {
	case u.Name == "" || len(u.Name) > 64:
		return fmt.Errorf("sandbox: %s.Name %q: want 1 to 64 characters", field, u.Name)
	case u.Password == "":
		return fmt.Errorf("sandbox: %s.Password is empty", field)
	case u.UserID <= 0:
		return fmt.Errorf("sandbox: %s.UserID %d: must be positive", field, u.UserID)
	case u.Balance.IsNegative():
		return fmt.Errorf("sandbox: %s.Balance %s: must not be negative", field, u.Balance)
	}
	return nil
}

// access returns the key's access to d.
func (u *UserConfig) access(d Domain) Access {
	if u.Permissions == nil || d == "" {
		return Full
	}
	return u.Permissions[d]
}

// LogValue redacts the password and secret.
func (u UserConfig) LogValue() slog.Value {
	return slog.GroupValue(slog.String("name", u.Name), slog.Int64("userId", u.UserID), slog.String("password", "***"), slog.String("sec", "***"))
}

// Credentials are what a client sends to auth/accesstokenrequest.
type Credentials struct {
	Name       string
	Password   string
	AppID      string
	AppVersion string
	CID        int64
	Sec        string
	DeviceID   string
}

// Request returns the token request for these credentials.
func (c Credentials) Request() wire.AccessTokenRequest {
	return wire.AccessTokenRequest{
		Name: c.Name, Password: c.Password, AppID: c.AppID, AppVersion: c.AppVersion,
		DeviceID: c.DeviceID, CID: wire.CID(c.CID), Sec: c.Sec,
	}
}

// String redacts the password and secret.
func (c Credentials) String() string {
	return fmt.Sprintf("{name:%s appId:%s cid:%d deviceId:%s password:*** sec:***}", c.Name, c.AppID, c.CID, c.DeviceID)
}

// LogValue redacts the password and secret.
func (c Credentials) LogValue() slog.Value { return slog.StringValue(c.String()) }

func lower(s string) string { return strings.ToLower(s) }
