package wire

import "log/slog"

// AccessTokenRequest is the body of auth/accesstokenrequest.
type AccessTokenRequest struct {
	Name       string `json:"name"`
	Password   string `json:"password"`
	AppID      string `json:"appId,omitempty"`
	AppVersion string `json:"appVersion,omitempty"`
	// DeviceID identifies the machine, permanently; live trading needs an
	// approved one. Always a string (a JSON number was behind a live 401).
	DeviceID string `json:"deviceId,omitempty"`
	// CID is the API key's client id, sent as a number.
	CID CID    `json:"cid"`
	Sec string `json:"sec,omitempty"`
	// PTicket is set when retrying after a time penalty.
	PTicket string `json:"p-ticket,omitempty"`
}

// LogValue redacts the password and secret.
func (r AccessTokenRequest) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("name", r.Name), slog.String("appId", r.AppID), slog.String("appVersion", r.AppVersion),
		slog.String("deviceId", r.DeviceID), slog.Int64("cid", int64(r.CID)),
		slog.String("password", "***"), slog.String("sec", "***"), slog.Bool("pTicket", r.PTicket != ""),
	)
}

// AccessTokenResponse is the result of auth/accesstokenrequest and
// auth/renewaccesstoken. A failure is HTTP 200 with ErrorText set (Check
// turns it into *APIError) or a time penalty (*PenaltyError). Field order
// follows Tradovate's own example response.
type AccessTokenResponse struct {
	ErrorText                 string `json:"errorText,omitempty"`
	AccessToken               string `json:"accessToken,omitempty"`
	MdAccessToken             string `json:"mdAccessToken,omitempty"`
	ExpirationTime            Time   `json:"expirationTime,omitzero"`
	PasswordExpirationTime    Time   `json:"passwordExpirationTime,omitzero"`
	UserStatus                string `json:"userStatus,omitempty"`
	UserID                    int64  `json:"userId,omitempty"`
	Name                      string `json:"name,omitempty"`
	HasLive                   bool   `json:"hasLive"`
	OutdatedTaC               bool   `json:"outdatedTaC"`
	HasFunded                 bool   `json:"hasFunded"`
	HasMarketData             bool   `json:"hasMarketData"`
	OutdatedLiquidationPolicy bool   `json:"outdatedLiquidationPolicy"`
	HasSimPlus                bool   `json:"hasSimPlus,omitempty"`
	HibpHint                  string `json:"hibpHint,omitempty"`
}

// LogValue redacts the tokens.
func (r AccessTokenResponse) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("errorText", r.ErrorText), slog.Int64("userId", r.UserID), slog.String("name", r.Name),
		slog.Time("expirationTime", r.ExpirationTime.Time), slog.String("userStatus", r.UserStatus),
		slog.Bool("hasLive", r.HasLive), slog.Bool("hasMarketData", r.HasMarketData),
		slog.Bool("outdatedTaC", r.OutdatedTaC), slog.Bool("outdatedLiquidationPolicy", r.OutdatedLiquidationPolicy),
		slog.String("accessToken", "***"), slog.String("mdAccessToken", "***"),
	)
}

// MeResponse is the result of auth/me (OAuthMeResponse).
type MeResponse struct {
	ErrorText     string `json:"errorText,omitempty"`
	UserID        int64  `json:"userId"`
	Name          string `json:"name"`
	FullName      string `json:"fullName,omitempty"`
	Email         string `json:"email,omitempty"`
	EmailVerified bool   `json:"emailVerified"`
	IsTrial       bool   `json:"isTrial"`
}

// Shutdown is the d of a "shutdown" event, sent before the server closes
// a socket (ReasonCode Maintenance, ConnectionQuotaReached, IPQuotaReached).
type Shutdown struct {
	ReasonCode string `json:"reasonCode"`
	Reason     string `json:"reason,omitempty"`
}

// SimpleResponse is {ok, errorText?}.
type SimpleResponse struct {
	OK        bool   `json:"ok"`
	ErrorText string `json:"errorText,omitempty"`
}
