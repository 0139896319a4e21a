package wire

import (
	"encoding/json"
	"fmt"
)

// SyncRequest is the body of user/syncrequest. Official samples send
// either Users or Accounts; EntityTypes (partner API) filters both the
// snapshot and the props events that follow.
type SyncRequest struct {
	Users           []int64  `json:"users,omitempty"`
	Accounts        []int64  `json:"accounts,omitempty"`
	SplitResponses  bool     `json:"splitResponses,omitempty"`
	EntityTypes     []string `json:"entityTypes,omitempty"`
	CutoffTimestamp Time     `json:"cutoffTimestamp,omitzero"`
}

// SyncMessage is the user/syncrequest snapshot. Users and ContractGroups
// are always present; other arrays are present when the server sends them
// (a nil slice is omitted, an empty one is sent as []). Arrays of entity
// types keel does not model are kept raw.
type SyncMessage struct {
	Users               []User              `json:"users"`
	Accounts            []Account           `json:"accounts,omitzero"`
	AccountRiskStatuses []json.RawMessage   `json:"accountRiskStatuses,omitzero"`
	MarginSnapshots     []json.RawMessage   `json:"marginSnapshots,omitzero"`
	UserAccountAutoLiqs []json.RawMessage   `json:"userAccountAutoLiqs,omitzero"`
	CashBalances        []CashBalance       `json:"cashBalances,omitzero"`
	Currencies          []Currency          `json:"currencies,omitzero"`
	Positions           []Position          `json:"positions,omitzero"`
	FillPairs           []FillPair          `json:"fillPairs,omitzero"`
	Orders              []Order             `json:"orders,omitzero"`
	Contracts           []Contract          `json:"contracts,omitzero"`
	ContractMaturities  []ContractMaturity  `json:"contractMaturities,omitzero"`
	Products            []Product           `json:"products,omitzero"`
	Exchanges           []Exchange          `json:"exchanges,omitzero"`
	SpreadDefinitions   []json.RawMessage   `json:"spreadDefinitions,omitzero"`
	Commands            []Command           `json:"commands,omitzero"`
	CommandReports      []CommandReport     `json:"commandReports,omitzero"`
	ExecutionReports    []ExecutionReport   `json:"executionReports,omitzero"`
	OrderVersions       []OrderVersion      `json:"orderVersions,omitzero"`
	Fills               []Fill              `json:"fills,omitzero"`
	OrderStrategies     []json.RawMessage   `json:"orderStrategies,omitzero"`
	OrderStrategyLinks  []json.RawMessage   `json:"orderStrategyLinks,omitzero"`
	UserProperties      []json.RawMessage   `json:"userProperties,omitzero"`
	Properties          []json.RawMessage   `json:"properties,omitzero"`
	UserPlugins         []json.RawMessage   `json:"userPlugins,omitzero"`
	ContractGroups      []ContractGroup     `json:"contractGroups"`
	OrderStrategyTypes  []OrderStrategyType `json:"orderStrategyTypes,omitzero"`
	UserReadStatuses    []json.RawMessage   `json:"userReadStatuses,omitzero"`
}

// PropsEvent is the d of a "props" event. Entity is one entity object or
// an array of them, of type EntityType; use Entities or DecodeEntities.
type PropsEvent struct {
	EntityType string          `json:"entityType"`
	EventType  string          `json:"eventType"`
	Entity     json.RawMessage `json:"entity"`
}

// Entities returns the event's entities, one or several, as raw JSON
// aliasing p.Entity.
func (p PropsEvent) Entities() ([]json.RawMessage, error) {
	i := skipSpace(p.Entity, 0)
	if i >= len(p.Entity) {
		return nil, fmt.Errorf("wire: props %s %s: no entity", p.EntityType, p.EventType)
	}
	switch p.Entity[i] {
	case '{':
		return []json.RawMessage{p.Entity}, nil
	case '[':
		var out []json.RawMessage
		err := EachElement(p.Entity, func(e []byte) error {
			out = append(out, e)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("wire: props %s %s: %w", p.EntityType, p.EventType, err)
		}
		return out, nil
	}
	return nil, fmt.Errorf("wire: props %s %s: entity is neither an object nor an array", p.EntityType, p.EventType)
}

// DecodeEntities decodes the event's entities, one or several, as T.
func DecodeEntities[T any](p PropsEvent) ([]T, error) {
	raws, err := p.Entities()
	if err != nil {
		return nil, err
	}
	out := make([]T, len(raws))
	for i, r := range raws {
		if err := json.Unmarshal(r, &out[i]); err != nil {
			return nil, fmt.Errorf("wire: props %s %s entity %d: %w", p.EntityType, p.EventType, i, err)
		}
	}
	return out, nil
}
