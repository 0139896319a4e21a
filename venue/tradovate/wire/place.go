package wire

import "github.com/keeltrade/keel/venue"

// PlaceOrder is the body of order/placeorder. Optional prices are nil
// when absent. AccountID is optional in the spec but required in practice.
type PlaceOrder struct {
	AccountSpec    string       `json:"accountSpec,omitempty"`
	AccountID      int64        `json:"accountId,omitempty"`
	ClOrdID        string       `json:"clOrdId,omitempty"`
	Action         string       `json:"action"`
	Symbol         string       `json:"symbol"`
	OrderQty       int64        `json:"orderQty"`
	OrderType      string       `json:"orderType"`
	Price          *venue.Price `json:"price,omitempty"`
	StopPrice      *venue.Price `json:"stopPrice,omitempty"`
	MaxShow        int64        `json:"maxShow,omitempty"`
	PegDifference  *venue.Price `json:"pegDifference,omitempty"`
	TimeInForce    string       `json:"timeInForce,omitempty"`
	ExpireTime     Time         `json:"expireTime,omitzero"`
	Text           string       `json:"text,omitempty"`
	ActivationTime Time         `json:"activationTime,omitzero"`
	CustomTag50    string       `json:"customTag50,omitempty"`
	// IsAutomated must be true for orders a program places (exchange rule).
	IsAutomated bool `json:"isAutomated,omitempty"`
	// PTicket is set when retrying after a time penalty.
	PTicket string `json:"p-ticket,omitempty"`
}

// RestrainedOrderVersion is a linked order of PlaceOSO/PlaceOCO; its
// quantity is the parent's.
type RestrainedOrderVersion struct {
	Action        string       `json:"action"`
	ClOrdID       string       `json:"clOrdId,omitempty"`
	OrderType     string       `json:"orderType"`
	Price         *venue.Price `json:"price,omitempty"`
	StopPrice     *venue.Price `json:"stopPrice,omitempty"`
	MaxShow       int64        `json:"maxShow,omitempty"`
	PegDifference *venue.Price `json:"pegDifference,omitempty"`
	TimeInForce   string       `json:"timeInForce,omitempty"`
	ExpireTime    Time         `json:"expireTime,omitzero"`
	Text          string       `json:"text,omitempty"`
}

// PlaceOSO is the body of order/placeoso: an entry and one or two
// brackets placed when it fills; two brackets cancel each other.
type PlaceOSO struct {
	PlaceOrder
	Bracket1 *RestrainedOrderVersion `json:"bracket1"`
	Bracket2 *RestrainedOrderVersion `json:"bracket2,omitempty"`
}

// PlaceOCO is the body of order/placeoco: two orders, one cancels the other.
type PlaceOCO struct {
	PlaceOrder
	Other *RestrainedOrderVersion `json:"other"`
}

// ModifyOrder is the body of order/modifyorder.
type ModifyOrder struct {
	OrderID        int64        `json:"orderId"`
	ClOrdID        string       `json:"clOrdId,omitempty"`
	OrderQty       int64        `json:"orderQty"`
	OrderType      string       `json:"orderType"`
	Price          *venue.Price `json:"price,omitempty"`
	StopPrice      *venue.Price `json:"stopPrice,omitempty"`
	MaxShow        int64        `json:"maxShow,omitempty"`
	PegDifference  *venue.Price `json:"pegDifference,omitempty"`
	TimeInForce    string       `json:"timeInForce,omitempty"`
	ExpireTime     Time         `json:"expireTime,omitzero"`
	Text           string       `json:"text,omitempty"`
	ActivationTime Time         `json:"activationTime,omitzero"`
	CustomTag50    string       `json:"customTag50,omitempty"`
	IsAutomated    bool         `json:"isAutomated,omitempty"`
}

// CancelOrder is the body of order/cancelorder.
type CancelOrder struct {
	OrderID        int64  `json:"orderId"`
	ClOrdID        string `json:"clOrdId,omitempty"`
	ActivationTime Time   `json:"activationTime,omitzero"`
	CustomTag50    string `json:"customTag50,omitempty"`
	IsAutomated    bool   `json:"isAutomated,omitempty"`
}

// LiquidatePosition is the body of order/liquidateposition: cancel the
// contract's working orders and flatten the position.
type LiquidatePosition struct {
	AccountID   int64  `json:"accountId"`
	ContractID  int64  `json:"contractId"`
	Admin       bool   `json:"admin"`
	CustomTag50 string `json:"customTag50,omitempty"`
}

// PlaceOrderResult is the result of placeorder and liquidateposition. On
// failure (still HTTP 200) FailureReason/FailureText are set; Check
// returns them as *FailureError.
type PlaceOrderResult struct {
	FailureReason string `json:"failureReason,omitempty"`
	FailureText   string `json:"failureText,omitempty"`
	OrderID       int64  `json:"orderId,omitempty"`
}

// PlaceOSOResult is the result of placeoso.
type PlaceOSOResult struct {
	FailureReason string `json:"failureReason,omitempty"`
	FailureText   string `json:"failureText,omitempty"`
	OrderID       int64  `json:"orderId,omitempty"`
	OSO1ID        int64  `json:"oso1Id,omitempty"`
	OSO2ID        int64  `json:"oso2Id,omitempty"`
}

// PlaceOCOResult is the result of placeoco.
type PlaceOCOResult struct {
	FailureReason string `json:"failureReason,omitempty"`
	FailureText   string `json:"failureText,omitempty"`
	OrderID       int64  `json:"orderId,omitempty"`
	OcoID         int64  `json:"ocoId,omitempty"`
}

// CommandResult is the result of modifyorder and cancelorder.
type CommandResult struct {
	FailureReason string `json:"failureReason,omitempty"`
	FailureText   string `json:"failureText,omitempty"`
	CommandID     int64  `json:"commandId,omitempty"`
}
