package stepid

import "testing"

func TestUniqueField(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"ID", true}, {"id", true}, {"UserID", true}, {"orderId", true}, {"user_id", true},
		{"SKU", true}, {"Email", true}, {"Index", true}, {"Seq", true}, {"orderID", true},
		{"Type", false}, {"Name", false}, {"ToolName", false}, {"Paid", false}, {"Valid", false}, {"Grid", false}, {"Status", false}, {"Plan", false},
	}
	for _, tt := range tests {
		if got := uniqueField.MatchString(tt.name); got != tt.want {
			t.Errorf("uniqueField(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
}
