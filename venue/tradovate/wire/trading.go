package wire

import "github.com/keeltrade/keel/venue"

// Order is an order's identity and status; its prices and size live in
// its OrderVersion.
type Order struct {
	ID                  int64  `json:"id"`
	AccountID           int64  `json:"accountId"`
	ContractID          int64  `json:"contractId,omitempty"`
	SpreadDefinitionID  int64  `json:"spreadDefinitionId,omitempty"`
	Timestamp           Time   `json:"timestamp"`
	Action              string `json:"action"`
	OrdStatus           string `json:"ordStatus"`
	ExecutionProviderID int64  `json:"executionProviderId,omitempty"`
	OcoID               int64  `json:"ocoId,omitempty"`
	ParentID            int64  `json:"parentId,omitempty"`
	LinkedID            int64  `json:"linkedId,omitempty"`
	Admin               bool   `json:"admin"`
}

// OrderVersion is one version of an order's terms. Its ID equals the id
// of the New or Modify command that created it.
type OrderVersion struct {
	ID            int64        `json:"id"`
	OrderID       int64        `json:"orderId"`
	OrderQty      int64        `json:"orderQty"`
	OrderType     string       `json:"orderType"`
	Price         *venue.Price `json:"price,omitempty"`
	StopPrice     *venue.Price `json:"stopPrice,omitempty"`
	MaxShow       int64        `json:"maxShow,omitempty"`
	PegDifference *venue.Price `json:"pegDifference,omitempty"`
	TimeInForce   string       `json:"timeInForce,omitempty"`
	ExpireTime    Time         `json:"expireTime,omitzero"`
	Text          string       `json:"text,omitempty"`
}

// Command is a New, Modify or Cancel request on an order.
type Command struct {
	ID             int64  `json:"id"`
	OrderID        int64  `json:"orderId"`
	Timestamp      Time   `json:"timestamp"`
	ClOrdID        string `json:"clOrdId,omitempty"`
	CommandType    string `json:"commandType"`
	CommandStatus  string `json:"commandStatus"`
	SenderID       int64  `json:"senderId,omitempty"`
	UserSessionID  int64  `json:"userSessionId"`
	ActivationTime Time   `json:"activationTime,omitzero"`
	CustomTag50    string `json:"customTag50,omitempty"`
	IsAutomated    bool   `json:"isAutomated,omitempty"`
}

// CommandReport is the venue's answer to a command: accepted for
// execution, rejected (RejectReason, Text) and so on.
type CommandReport struct {
	ID            int64  `json:"id"`
	CommandID     int64  `json:"commandId"`
	Timestamp     Time   `json:"timestamp"`
	CommandStatus string `json:"commandStatus"`
	RejectReason  string `json:"rejectReason,omitempty"`
	Text          string `json:"text,omitempty"`
	OrdStatus     string `json:"ordStatus,omitempty"`
}

// ExecutionReport is an order state change at the exchange: New, Trade,
// Canceled, Rejected, Replaced, Expired…
type ExecutionReport struct {
	ID              int64        `json:"id"`
	CommandID       int64        `json:"commandId"`
	Name            string       `json:"name"`
	AccountID       int64        `json:"accountId"`
	ContractID      int64        `json:"contractId"`
	Timestamp       Time         `json:"timestamp"`
	TradeDate       *TradeDate   `json:"tradeDate,omitempty"`
	OrderID         int64        `json:"orderId"`
	ExecType        string       `json:"execType"`
	ExecRefID       string       `json:"execRefId,omitempty"`
	OrdStatus       string       `json:"ordStatus,omitempty"`
	Action          string       `json:"action"`
	CumQty          int64        `json:"cumQty,omitempty"`
	AvgPx           *Decimal     `json:"avgPx,omitempty"`
	LastQty         int64        `json:"lastQty,omitempty"`
	LastPx          *venue.Price `json:"lastPx,omitempty"`
	RejectReason    string       `json:"rejectReason,omitempty"`
	Text            string       `json:"text,omitempty"`
	ExchangeOrderID string       `json:"exchangeOrderId,omitempty"`
}

// Fill is one execution.
type Fill struct {
	ID            int64       `json:"id"`
	OrderID       int64       `json:"orderId"`
	ContractID    int64       `json:"contractId"`
	Timestamp     Time        `json:"timestamp"`
	TradeDate     TradeDate   `json:"tradeDate"`
	Action        string      `json:"action"`
	Qty           int64       `json:"qty"`
	Price         venue.Price `json:"price"`
	Active        bool        `json:"active"`
	FinallyPaired int64       `json:"finallyPaired"`
}

// FillPair pairs a buy fill with a sell fill that closed it (FIFO).
type FillPair struct {
	ID         int64       `json:"id"`
	PositionID int64       `json:"positionId"`
	BuyFillID  int64       `json:"buyFillId"`
	SellFillID int64       `json:"sellFillId"`
	Qty        int64       `json:"qty"`
	BuyPrice   venue.Price `json:"buyPrice"`
	SellPrice  venue.Price `json:"sellPrice"`
	Active     bool        `json:"active"`
}

// Position is the net position of an account in a contract.
type Position struct {
	ID          int64     `json:"id"`
	AccountID   int64     `json:"accountId"`
	ContractID  int64     `json:"contractId"`
	Timestamp   Time      `json:"timestamp"`
	TradeDate   TradeDate `json:"tradeDate"`
	NetPos      int64     `json:"netPos"`
	NetPrice    *Decimal  `json:"netPrice,omitempty"`
	Bought      int64     `json:"bought"`
	BoughtValue Decimal   `json:"boughtValue"`
	Sold        int64     `json:"sold"`
	SoldValue   Decimal   `json:"soldValue"`
	PrevPos     int64     `json:"prevPos"`
	PrevPrice   *Decimal  `json:"prevPrice,omitempty"`
}

// CashBalance is an account's cash in one currency.
type CashBalance struct {
	ID              int64     `json:"id"`
	AccountID       int64     `json:"accountId"`
	Timestamp       Time      `json:"timestamp"`
	TradeDate       TradeDate `json:"tradeDate"`
	CurrencyID      int64     `json:"currencyId"`
	Amount          Decimal   `json:"amount"`
	RealizedPnL     Decimal   `json:"realizedPnL"`
	WeekRealizedPnL Decimal   `json:"weekRealizedPnL"`
}
