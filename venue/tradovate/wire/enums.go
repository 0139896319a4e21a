package wire

// Enum values as Tradovate spells them. Entity fields keep them as plain
// strings so a value added by Tradovate later still decodes.

// Actions.
const (
	ActionBuy  = "Buy"
	ActionSell = "Sell"
)

// Order types.
const (
	OrderTypeLimit             = "Limit"
	OrderTypeMIT               = "MIT"
	OrderTypeMarket            = "Market"
	OrderTypeQTS               = "QTS"
	OrderTypeStop              = "Stop"
	OrderTypeStopLimit         = "StopLimit"
	OrderTypeTrailingStop      = "TrailingStop"
	OrderTypeTrailingStopLimit = "TrailingStopLimit"
)

// Times in force.
const (
	TIFDay = "Day"
	TIFFOK = "FOK"
	TIFGTC = "GTC"
	TIFGTD = "GTD"
	TIFIOC = "IOC"
)

// Order statuses (Order, CommandReport and ExecutionReport ordStatus).
const (
	OrdStatusCanceled       = "Canceled"
	OrdStatusCompleted      = "Completed"
	OrdStatusExpired        = "Expired"
	OrdStatusFilled         = "Filled"
	OrdStatusPendingCancel  = "PendingCancel"
	OrdStatusPendingNew     = "PendingNew"
	OrdStatusPendingReplace = "PendingReplace"
	OrdStatusRejected       = "Rejected"
	OrdStatusSuspended      = "Suspended"
	OrdStatusUnknown        = "Unknown"
	OrdStatusWorking        = "Working"
)

// Command types.
const (
	CommandNew    = "New"
	CommandModify = "Modify"
	CommandCancel = "Cancel"
)

// Command statuses.
const (
	CommandStatusAtExecution        = "AtExecution"
	CommandStatusExecutionRejected  = "ExecutionRejected"
	CommandStatusExecutionStopped   = "ExecutionStopped"
	CommandStatusExecutionSuspended = "ExecutionSuspended"
	CommandStatusOnHold             = "OnHold"
	CommandStatusPending            = "Pending"
	CommandStatusPendingExecution   = "PendingExecution"
	CommandStatusReplaced           = "Replaced"
	CommandStatusRiskPassed         = "RiskPassed"
	CommandStatusRiskRejected       = "RiskRejected"
)

// Execution report types.
const (
	ExecCanceled       = "Canceled"
	ExecCompleted      = "Completed"
	ExecDoneForDay     = "DoneForDay"
	ExecExpired        = "Expired"
	ExecNew            = "New"
	ExecOrderStatus    = "OrderStatus"
	ExecPendingCancel  = "PendingCancel"
	ExecPendingNew     = "PendingNew"
	ExecPendingReplace = "PendingReplace"
	ExecRejected       = "Rejected"
	ExecReplaced       = "Replaced"
	ExecStopped        = "Stopped"
	ExecSuspended      = "Suspended"
	ExecTrade          = "Trade"
	ExecTradeCancel    = "TradeCancel"
	ExecTradeCorrect   = "TradeCorrect"
)

// Reject reasons (commandReport.rejectReason, failureReason) keel branches on.
// The full enum is in the reference; unknown values pass through as text.
const (
	RejectAccountClosed         = "AccountClosed"
	RejectAnotherCommandPending = "AnotherCommandPending"
	RejectInvalidContract       = "InvalidContract"
	RejectInvalidPrice          = "InvalidPrice"
	RejectLiquidationOnly       = "LiquidationOnly"
	RejectMaxPosLimitReached    = "MaxPosLimitReached"
	RejectNoQuote               = "NoQuote"
	RejectSessionClosed         = "SessionClosed"
	RejectSuccess               = "Success"
	RejectTooLate               = "TooLate"
	RejectTradingLocked         = "TradingLocked"
	RejectUnauthorized          = "Unauthorized"
	RejectUnknownReason         = "UnknownReason"
	RejectUnsupported           = "Unsupported"
)

// Props event types.
const (
	EventCreated = "Created"
	EventUpdated = "Updated"
	EventDeleted = "Deleted"
)

// Entity type names, as props events and REST paths spell them.
const (
	EntityAccount          = "account"
	EntityUser             = "user"
	EntityContract         = "contract"
	EntityContractMaturity = "contractMaturity"
	EntityProduct          = "product"
	EntityProductSession   = "productSession"
	EntityOrder            = "order"
	EntityOrderVersion     = "orderVersion"
	EntityCommand          = "command"
	EntityCommandReport    = "commandReport"
	EntityExecutionReport  = "executionReport"
	EntityFill             = "fill"
	EntityFillPair         = "fillPair"
	EntityPosition         = "position"
	EntityCashBalance      = "cashBalance"
)

// Shutdown reason codes.
const (
	ShutdownMaintenance            = "Maintenance"
	ShutdownConnectionQuotaReached = "ConnectionQuotaReached"
	ShutdownIPQuotaReached         = "IPQuotaReached"
)

// User statuses (AccessTokenResponse.userStatus, User.status).
const (
	UserActive           = "Active"
	UserClosed           = "Closed"
	UserInitiated        = "Initiated"
	UserTemporaryLocked  = "TemporaryLocked"
	UserUnconfirmedEmail = "UnconfirmedEmail"
)
