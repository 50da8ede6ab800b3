package runtime

import (
	"reflect"
	"testing"
)

// TestFlowControls: every option of a flow makes it one that controls
// admission, so that sends of events starting its function go through a
// transaction (a new field of flow that controls misses fails here).
func TestFlowControls(t *testing.T) {
	if (&flow{}).controls() || (*flow)(nil).controls() {
		t.Fatal("a flow without options controls admission")
	}
	// These only qualify an option, which is checked on its own.
	notOptions := map[string]bool{"idemPeriod": true, "throttleKey": true, "rateKey": true, "debounceKey": true, "batchKey": true, "singleKey": true}
	typ := reflect.TypeFor[flow]()
	for i := range typ.NumField() {
		field := typ.Field(i)
		if notOptions[field.Name] {
			continue
		}
		fl := &flow{}
		v := reflect.ValueOf(fl).Elem().Field(i)
		switch v.Kind() {
		case reflect.Pointer:
			v = reflect.NewAt(v.Type(), v.Addr().UnsafePointer()).Elem()
			v.Set(reflect.New(v.Type().Elem()))
		case reflect.Slice:
			v = reflect.NewAt(v.Type(), v.Addr().UnsafePointer()).Elem()
			v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		default:
			t.Fatalf("flow.%s is a %s: say here whether it is an option", field.Name, v.Kind())
		}
		if !fl.controls() {
			t.Errorf("a flow with only %s set does not control admission", field.Name)
		}
	}
}
