package wire

import "github.com/keeltrade/keel/venue"

// Account is a trading account.
type Account struct {
	ID                int64  `json:"id"`
	Name              string `json:"name"`
	UserID            int64  `json:"userId"`
	AccountType       string `json:"accountType"`
	Active            bool   `json:"active"`
	ClearingHouseID   int64  `json:"clearingHouseId"`
	RiskCategoryID    int64  `json:"riskCategoryId"`
	AutoLiqProfileID  int64  `json:"autoLiqProfileId"`
	MarginAccountType string `json:"marginAccountType"`
	LegalStatus       string `json:"legalStatus"`
	Timestamp         Time   `json:"timestamp,omitzero"`
	Readonly          bool   `json:"readonly,omitempty"`
}

// User is a Tradovate user.
type User struct {
	ID                         int64  `json:"id"`
	Name                       string `json:"name"`
	Timestamp                  Time   `json:"timestamp,omitzero"`
	Email                      string `json:"email"`
	Status                     string `json:"status"`
	Professional               bool   `json:"professional"`
	OrganizationID             int64  `json:"organizationId,omitempty"`
	LinkedUserID               int64  `json:"linkedUserId,omitempty"`
	ForeignIntroducingBrokerID int64  `json:"foreignIntroducingBrokerId,omitempty"`
}

// Contract is one tradable contract ("ESZ6"). Status and ProviderTickSize
// appear in real payloads, not in the spec.
type Contract struct {
	ID                 int64        `json:"id"`
	Name               string       `json:"name"`
	ContractMaturityID int64        `json:"contractMaturityId"`
	Status             string       `json:"status,omitempty"`
	ProviderTickSize   *venue.Price `json:"providerTickSize,omitempty"`
}

// Product is a futures product ("ES"). Field order follows real payloads.
type Product struct {
	ID                          int64       `json:"id"`
	Name                        string      `json:"name"`
	CurrencyID                  int64       `json:"currencyId"`
	ProductType                 string      `json:"productType"`
	Description                 string      `json:"description"`
	ExchangeID                  int64       `json:"exchangeId"`
	ExchangeChannelID           int64       `json:"exchangeChannelId,omitempty"`
	ContractGroupID             int64       `json:"contractGroupId"`
	RiskDiscountContractGroupID int64       `json:"riskDiscountContractGroupId,omitempty"`
	Status                      string      `json:"status"`
	Months                      string      `json:"months,omitempty"`
	IsSecured                   bool        `json:"isSecured,omitempty"`
	ValuePerPoint               Decimal     `json:"valuePerPoint"`
	PriceFormatType             string      `json:"priceFormatType"`
	PriceFormat                 int         `json:"priceFormat"`
	TickSize                    venue.Price `json:"tickSize"`
	AllowProviderContractInfo   bool        `json:"allowProviderContractInfo"`
	IsMicro                     bool        `json:"isMicro"`
	MarketDataSource            string      `json:"marketDataSource,omitempty"`
	LookupWeight                int         `json:"lookupWeight"`
	HasReplay                   bool        `json:"hasReplay"`
	RolloverMonths              string      `json:"rolloverMonths,omitempty"`
}

// ContractMaturity is a product's contract month. ExpirationMonth is
// YYYYMM (201712).
type ContractMaturity struct {
	ID              int64 `json:"id"`
	ProductID       int64 `json:"productId"`
	ExpirationMonth int   `json:"expirationMonth"`
	ExpirationDate  Time  `json:"expirationDate"`
	FirstIntentDate Time  `json:"firstIntentDate,omitzero"`
	UnderlyingID    int64 `json:"underlyingId,omitempty"`
	Archived        bool  `json:"archived"`
	SeqNo           int   `json:"seqNo"`
	IsFront         bool  `json:"isFront"`
}

// ProductSession is a product's weekly trading hours (no holidays).
type ProductSession struct {
	ID             int64      `json:"id"`
	OpenTime       TradeTime  `json:"openTime"`
	StartTime      TradeTime  `json:"startTime"`
	StopTime       TradeTime  `json:"stopTime"`
	CloseTime      TradeTime  `json:"closeTime"`
	SundayOpenTime *TradeTime `json:"sundayOpenTime,omitempty"`
}

// RollContract is the body of contract/rollcontract.
type RollContract struct {
	Name      string `json:"name"`
	Forward   bool   `json:"forward"`
	IfExpired bool   `json:"ifExpired,omitempty"`
}

// RollContractResponse is its result.
type RollContractResponse struct {
	ErrorText string    `json:"errorText,omitempty"`
	Contract  *Contract `json:"contract,omitempty"`
}

// Currency, Exchange, ContractGroup and OrderStrategyType appear in the
// user/syncrequest snapshot.
type (
	Currency struct {
		ID     int64  `json:"id"`
		Name   string `json:"name"`
		Symbol string `json:"symbol,omitempty"`
	}
	Exchange struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	}
	ContractGroup struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	}
	OrderStrategyType struct {
		ID      int64  `json:"id"`
		Name    string `json:"name"`
		Enabled bool   `json:"enabled"`
	}
)
