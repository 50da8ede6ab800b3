package gogen

import (
	"bytes"
	"fmt"

	"github.com/dave/jennifer/jen"

	"github.com/durable-go/durable/codegen/internal/registry"
)

// Registry renders the registry file: package pkgName at import path
// pkgPath, with Functions returning fns (sorted by ID, as registry.Scan
// returns them).
func Registry(pkgPath, pkgName string, fns []registry.Function, source string) ([]byte, error) {
	f := jen.NewFilePathName(pkgPath, pkgName)
	f.HeaderComment(Header(source))
	f.PackageComment(fmt.Sprintf("Package %s lists the durable functions of the module.", pkgName))
	f.Comment("Functions returns every durable function of the module (every package-level")
	f.Comment("variable set to runtime.NewFunction), sorted by ID; give it to runtime.New")
	f.Comment("as Options.Functions.")
	f.Func().Id("Functions").Params().Index().Op("*").Qual(RuntimePath, "Function").Block(
		jen.Return(jen.Index().Op("*").Qual(RuntimePath, "Function").CustomFunc(
			jen.Options{Open: "{", Close: "}", Multi: true},
			func(g *jen.Group) {
				for _, fn := range fns {
					g.Qual(fn.PkgPath, fn.Var).Op(",").Comment(fn.ID)
				}
			})),
	)
	var buf bytes.Buffer
	if err := f.Render(&buf); err != nil {
		return nil, fmt.Errorf("rendering the registry: %w", err)
	}
	return buf.Bytes(), nil
}
