package strategy

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"go.yaml.in/yaml/v3"
)

// ParamsFromYAML reads parameters from a YAML mapping of names to scalar
// values:
//
//	fast: 5
//	slow: 20
//	bar: 5m
//
// Nested mappings, lists and duplicate names are errors naming the line.
func ParamsFromYAML(data []byte) (*Params, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return NewParams(nil), nil
		}
		return nil, fmt.Errorf("strategy parameters: %w", err)
	}
	return paramsFromNode(&doc)
}

func paramsFromNode(doc *yaml.Node) (*Params, error) {
	n := doc
	if n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		n = n.Content[0]
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return NewParams(nil), nil
	}
	if n.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("strategy parameters: line %d: want a mapping of name: value", n.Line)
	}
	values := map[string]string{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode || k.Value == "" {
			return nil, fmt.Errorf("strategy parameters: line %d: parameter names must be plain text", k.Line)
		}
		if v.Kind != yaml.ScalarNode {
			return nil, fmt.Errorf("strategy parameters: line %d: parameter %q must be a single value, not a list or mapping", v.Line, k.Value)
		}
		if _, dup := values[k.Value]; dup {
			return nil, fmt.Errorf("strategy parameters: line %d: parameter %q given twice", k.Line, k.Value)
		}
		values[k.Value] = v.Value
	}
	return NewParams(values), nil
}

// ParamsFromYAMLNode is ParamsFromYAML for a node already decoded as part
// of a larger configuration file.
func ParamsFromYAMLNode(n *yaml.Node) (*Params, error) { return paramsFromNode(n) }
