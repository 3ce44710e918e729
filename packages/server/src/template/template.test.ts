import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Template, renderTemplate } from './template.ts';
import { templateFunction } from './function.ts';
import { TemplateParseError } from './parse.ts';
import { TemplateExecError } from './exec.ts';
import { GoMap, GoStruct, stringMap, withMethods } from './value.ts';

const data = new GoStruct('main.T', {
  Name: 'vigil',
  Count: 3n,
  Ratio: 0.5,
  True: true,
  False: false,
  Empty: '',
  Zero: 0n,
  List: ['a', 'b', 'c'],
  Ints: [1n, 2n, 3n],
  NoList: [],
  Labels: stringMap({ job: 'api', instance: 'host:9090', env: 'prod' }),
  Any: new Map<string, unknown>([['x', 1n], ['y', 'why'], ['nested', new Map([['deep', 'yes']])]]),
  Nil: null,
  Struct: new GoStruct('main.Inner', { A: 'inner-a', B: 2n }),
  Pointer: new GoStruct('main.Inner', { A: 'p', B: 1n }, { pointer: true }),
  Func: (left: unknown, right: unknown) => `${String(left)}+${String(right)}`,
  Methods: withMethods(['m'], 'main.WithMethods', { Hello: () => 'hello', Greet: (name: unknown) => `hi ${String(name)}`, Fail: () => { throw new Error('boom'); } }),
});

/** [template, expected output] */
const outputs: [string, string][] = [
  // Text and actions.
  ['plain text', 'plain text'],
  ['', ''],
  ['{{ .Name }}', 'vigil'],
  ['{{.Name}}', 'vigil'],
  ['{{ . | printf "%T" }}', 'main.T'],
  ['{{ 1 }}', '1'],
  ['{{ -1 }}', '-1'],
  ['{{ +1 }}', '1'],
  ['{{ 1.5 }}', '1.5'],
  ['{{ 1.0 }}', '1'],
  ['{{ 1e3 }}', '1000'],
  ['{{ 1e6 }}', '1e+06'],
  ['{{ 0x10 }}', '16'],
  ['{{ 0o17 }}', '15'],
  ['{{ 017 }}', '15'],
  ['{{ 0b101 }}', '5'],
  ['{{ 1_000_000 }}', '1000000'],
  ['{{ 0x1p4 }}', '16'],
  ["{{ 'a' }}", '97'],
  ["{{ '\\n' }}", '10'],
  ["{{ printf \"%c\" 'é' }}", 'é'],
  ['{{ "quoted\\tstring" }}', 'quoted\tstring'],
  ['{{ "\\u00e9\\x41" }}', 'éA'],
  ['{{ `raw \\n string` }}', 'raw \\n string'],
  ['{{ true }} {{ false }}', 'true false'],
  ['{{ print nil }}', '<nil>'],
  ['{{ .Nil }}', '<nil>'],
  ['{{ .Count }} {{ .Ratio }} {{ .True }}', '3 0.5 true'],
  ['{{ .List }}', '[a b c]'],
  ['{{ .Ints }}', '[1 2 3]'],
  ['{{ .Labels }}', 'map[env:prod instance:host:9090 job:api]'],
  ['{{ .Struct }}', '{inner-a 2}'],
  ['{{ .Pointer }}', '&{p 1}'],
  ['{{ printf "%+v" .Struct }}', '{A:inner-a B:2}'],
  // Fields, chains, maps.
  ['{{ .Labels.job }}', 'api'],
  ['{{ .Labels.missing }}', '<no value>'],
  ['{{ .Any.y }}', 'why'],
  ['{{ .Any.nested.deep }}', 'yes'],
  ['{{ .Any.missing }}', '<no value>'],
  ['{{ .Any.missing.deeper }}', '<no value>'],
  ['{{ .Struct.A }}', 'inner-a'],
  ['{{ .Pointer.A }}', 'p'],
  ['{{ (.Struct).B }}', '2'],
  ['{{ (index .List 1) }}', 'b'],
  ['{{ $.Name }}', 'vigil'],
  ['{{ with .Struct }}{{ .A }}/{{ $.Name }}{{ end }}', 'inner-a/vigil'],
  // Methods.
  ['{{ .Methods.Hello }}', 'hello'],
  ['{{ .Methods.Greet "you" }}', 'hi you'],
  ['{{ "them" | .Methods.Greet }}', 'hi them'],
  ['{{ index .Methods 0 }}', 'm'],
  // Functions and call.
  ['{{ call .Func 1 "x" }}', '1+x'],
  ['{{ .Func | printf "%T" }}', 'func(...interface {}) interface {}'],
  // Pipelines.
  ['{{ "x" | printf "%s-%s" "y" }}', 'y-x'],
  ['{{ .Name | len }}', '5'],
  ['{{ .Name | printf "%q" | len }}', '7'],
  ['{{ (len .List) }}', '3'],
  ['{{ printf "%d" (len .List) }}', '3'],
  ['{{ (printf "%s" "a") | printf "%s%s" "b" }}', 'ba'],
  ['{{ .Name | printf }}', 'vigil'],
  // Variables.
  ['{{ $x := 1 }}{{ $x }}', '1'],
  ['{{ $x := 1 }}{{ $x = 2 }}{{ $x }}', '2'],
  ['{{ $x := .Name }}{{ $x | len }}', '5'],
  ['{{ $x := .Struct }}{{ $x.A }}', 'inner-a'],
  ['{{ $l := .Labels }}{{ $l.job }}', 'api'],
  ['{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ end }}{{ $x }}', '2'],
  ['{{ $x := 1 }}{{ if true }}{{ $x := 2 }}{{ $x }}{{ end }}{{ $x }}', '21'],
  ['{{ $x := 1 }}{{ range .List }}{{ $x = . }}{{ end }}{{ $x }}', 'c'],
  // A struct prints its fields in order; a func prints as an address, like Go's %v.
  ['{{ $ }}', '{vigil 3 0.5 true false  0 [a b c] [1 2 3] [] map[env:prod instance:host:9090 job:api] map[nested:map[deep:yes] x:1 y:why] <nil> {inner-a 2} &{p 1} 0xc000010000 [m]}'],
  // if / else if / else.
  ['{{ if .True }}yes{{ end }}', 'yes'],
  ['{{ if .False }}yes{{ else }}no{{ end }}', 'no'],
  ['{{ if .Empty }}1{{ else if .Zero }}2{{ else if .List }}3{{ else }}4{{ end }}', '3'],
  ['{{ if .NoList }}1{{ else if .Nil }}2{{ else }}4{{ end }}', '4'],
  ['{{ if .Labels }}map{{ end }}', 'map'],
  ['{{ if .Struct }}struct{{ end }}', 'struct'],
  ['{{ if .Ratio }}float{{ end }}', 'float'],
  ['{{ if 0.0 }}t{{ else }}f{{ end }}', 'f'],
  ['{{ if .Labels.missing }}t{{ else }}f{{ end }}', 'f'],
  ['{{ if $x := .Name }}{{ $x }}{{ end }}', 'vigil'],
  ['{{ if $x := .Empty }}{{ $x }}{{ else }}[{{ $x }}]{{ end }}', '[]'],
  ['{{ if and .True .Name }}both{{ end }}', 'both'],
  ['{{ if or .False .Empty }}any{{ else }}none{{ end }}', 'none'],
  // with.
  ['{{ with .Name }}{{ . }}{{ end }}', 'vigil'],
  ['{{ with .Empty }}x{{ else }}empty{{ end }}', 'empty'],
  ['{{ with .Empty }}x{{ else with .Count }}{{ . }}{{ end }}', '3'],
  ['{{ with $x := .Count }}{{ $x }}{{ . }}{{ end }}', '33'],
  ['{{ with .Labels.missing }}x{{ else }}none{{ end }}', 'none'],
  // range.
  ['{{ range .List }}{{ . }}{{ end }}', 'abc'],
  ['{{ range $i, $e := .List }}{{ $i }}={{ $e }} {{ end }}', '0=a 1=b 2=c '],
  ['{{ range $e := .List }}{{ $e }}{{ end }}', 'abc'],
  ['{{ range $k, $v := .Labels }}{{ $k }}:{{ $v }};{{ end }}', 'env:prod;instance:host:9090;job:api;'],
  ['{{ range .Labels }}{{ . }},{{ end }}', 'prod,host:9090,api,'],
  ['{{ range .NoList }}x{{ else }}empty{{ end }}', 'empty'],
  ['{{ range .Nil }}x{{ else }}nil{{ end }}', 'nil'],
  ['{{ range .Labels.missing }}x{{ end }}ok', 'ok'],
  ['{{ range 3 }}{{ . }}{{ end }}', '012'],
  ['{{ range $i := 3 }}{{ $i }}{{ end }}', '012'],
  ['{{ range 0 }}x{{ else }}none{{ end }}', 'none'],
  ['{{ range .List }}{{ if eq . "b" }}{{ continue }}{{ end }}{{ . }}{{ end }}', 'ac'],
  ['{{ range .List }}{{ if eq . "b" }}{{ break }}{{ end }}{{ . }}{{ end }}', 'a'],
  ['{{ range .List }}{{ range $.Ints }}{{ if eq . 2 }}{{ break }}{{ end }}{{ . }}{{ end }}{{ . }}{{ end }}', '1a1b1c'],
  ['{{ range $i, $e := .Ints }}{{ $i }}{{ $e }}{{ end }}{{ $x := 5 }}{{ $x }}', '0112235'],
  ['{{ $i := 9 }}{{ range $i, $e := .List }}{{ end }}{{ $i }}', '9'],
  ['{{ $i := 9 }}{{ $e := 0 }}{{ range $i, $e = .List }}{{ end }}{{ $i }}{{ $e }}', '2c'],
  ['{{ range .List }}{{ $.Name }}{{ end }}', 'vigilvigilvigil'],
  // Trimming.
  ['a  {{- "b" -}}  c', 'abc'],
  ['a \n\t {{- "b" }} \n c', 'ab \n c'],
  ['{{ "a" -}}\n\n  b', 'ab'],
  ['{{- "a" -}}', 'a'],
  ['x {{- 3 }}', 'x3'],
  ['x {{-3 }}', 'x -3'],
  ['{{ 3 -}} 1', '31'],
  ['{{ 3 - }}', 'ERROR'],
  ['a {{- /* comment */ -}} b', 'ab'],
  ['a {{/* comment */}} b', 'a  b'],
  ['{{/* multi\nline */}}x', 'x'],
  ['{{ if true -}}\n  yes\n{{- end }}', 'yes'],
  // Comparison functions.
  ['{{ eq 1 1 }} {{ eq 1 2 }} {{ eq 1 2 3 1 }}', 'true false true'],
  ['{{ eq "a" "a" }} {{ eq .Name "vigil" }} {{ eq .Labels.job "api" "web" }}', 'true true true'],
  ['{{ eq 1.5 1.5 }} {{ eq .Ratio 0.5 }}', 'true true'],
  ['{{ eq true true }} {{ eq .True false }}', 'true false'],
  ['{{ eq .Labels.missing "x" }}', 'false'],
  ['{{ eq .Nil nil }}', 'true'],
  ['{{ ne 1 2 }} {{ ne "a" "a" }}', 'true false'],
  ['{{ lt 1 2 }} {{ lt 2 1 }} {{ lt "a" "b" }} {{ lt 1.5 2.5 }}', 'true false true true'],
  ['{{ le 2 2 }} {{ gt 3 2 }} {{ ge 2 3 }}', 'true true false'],
  ['{{ gt .Ratio 0.1 }}', 'true'],
  ['{{ lt (index .Labels "nope") "a" }}', 'true'],
  // Logic.
  ['{{ and 1 2 }} {{ and 0 2 }} {{ and 1 "" 3 }}', '2 0 '],
  ['{{ or 0 "" }} {{ or 0 "x" 3 }} {{ or 1 }}', ' x 1'],
  ['{{ not true }} {{ not 0 }} {{ not "" }} {{ not .List }}', 'false true true false'],
  ['{{ and .False (index .Nil 0) }}', 'false'],
  ['{{ or .True (index .Nil 0) }}', 'true'],
  ['{{ "x" | and 1 }}', 'x'],
  ['{{ 0 | or 1 }}', '1'],
  // len, index, slice.
  ['{{ len .List }} {{ len .Labels }} {{ len "héllo" }} {{ len .NoList }}', '3 3 6 0'],
  ['{{ index .List 2 }} {{ index .Labels "job" }} {{ index .Labels "nope" }}|', 'c api |'],
  ['{{ index .Any "missing" }}', '<no value>'],
  ['{{ index .Any "nested" "deep" }}', 'yes'],
  ['{{ index "abc" 1 }}', '98'],
  ['{{ index .List }}', '[a b c]'],
  ['{{ slice .List 1 }} {{ slice .List 1 2 }} {{ slice .List }}', '[b c] [b] [a b c]'],
  ['{{ slice "hello" 1 3 }}', 'el'],
  ['{{ slice .List 0 1 2 }}', '[a]'],
  // print family.
  ['{{ print "a" "b" }}', 'ab'],
  ['{{ print 1 2 }}', '1 2'],
  ['{{ print "a" 1 2 "b" }}', 'a1 2b'],
  ['{{ print 1.5 true nil }}', '1.5 true <nil>'],
  ['{{ println "a" 1 }}', 'a 1\n'],
  ['{{ println }}', '\n'],
  ['{{ printf "%s=%d" "x" 3 }}', 'x=3'],
  ['{{ printf "%v %v %v" .List .Labels .Struct }}', '[a b c] map[env:prod instance:host:9090 job:api] {inner-a 2}'],
  ['{{ print .Labels.missing }}', '<nil>'],
  // html, js, urlquery.
  ['{{ html "<a href=\\"x\\">&\'</a>" }}', '&lt;a href=&#34;x&#34;&gt;&amp;&#39;&lt;/a&gt;'],
  ['{{ html 1 2 }}', '1 2'],
  ['{{ js "it\'s \\"q\\" <b> & = \\\\ \\n" }}', 'it\\\'s \\"q\\" \\u003Cb\\u003E \\u0026 \\u003D \\\\ \\u000A'],
  ['{{ urlquery "a b&c=d/é" }}', 'a+b%26c%3Dd%2F%C3%A9'],
  ['{{ "<x>" | html }}', '&lt;x&gt;'],
  // define / template / block.
  ['{{ define "x" }}[{{ . }}]{{ end }}{{ template "x" "hi" }}', '[hi]'],
  ['{{ define "x" }}[{{ . }}]{{ end }}{{ template "x" }}', '[<no value>]'],
  ['{{ define "x" }}{{ .Name }}{{ end }}{{ template "x" . }}', 'vigil'],
  ['{{ template "x" .Struct }}{{ define "x" }}{{ .A }}{{ end }}', 'inner-a'],
  ['{{ block "b" .Count }}<{{ . }}>{{ end }}', '<3>'],
  ['{{ define "rec" }}{{ if gt . 0 }}{{ . }}{{ template "rec" (call $.Dec .) }}{{ end }}{{ end }}', ''],
  ['{{ define "v" }}{{ $x := 1 }}{{ $x }}{{ end }}{{ $x := 2 }}{{ template "v" }}{{ $x }}', '12'],
  ['{{ define "a" }}A{{ template "b" }}{{ end }}{{ define "b" }}B{{ end }}{{ template "a" }}', 'AB'],
  ['{{ define "t" }}{{ range . }}{{ . }}{{ end }}{{ end }}{{ template "t" .List }}', 'abc'],
];

describe('Go text/template execution', () => {
  for (const [text, expected] of outputs) {
    it(JSON.stringify(text), async () => {
      if (expected === 'ERROR') {
        await assert.rejects(renderTemplate(text, data));
        return;
      }
      assert.equal(await renderTemplate(text, data, { name: 'test' }), expected);
    });
  }
});

/** [template, expected error message] */
const parseErrors: [string, string][] = [
  ['{{', 'template: test:1: unclosed action'],
  ['{{ }}', 'template: test:1: missing value for command'],
  ['{{ ( ) }}', 'template: test:1: missing value for parenthesized pipeline'],
  ['a\n{{ .X', 'template: test:2: unclosed action'],
  ['{{ .X\n\n', 'template: test:3: unclosed action started at test:1'],
  ['{{ "abc }}', 'template: test:1: unterminated quoted string'],
  ['{{ `abc }}', 'template: test:1: unterminated raw quoted string'],
  ["{{ 'a }}", 'template: test:1: unterminated character constant'],
  ['{{ $x }}', 'template: test:1: undefined variable "$x"'],
  ['{{ nosuch }}', 'template: test:1: function "nosuch" not defined'],
  ['{{ if true }}', 'template: test:1: unexpected EOF'],
  ['{{ end }}', 'template: test:1: unexpected {{end}}'],
  ['{{ else }}', 'template: test:1: unexpected {{else}}'],
  ['{{ if }}{{ end }}', 'template: test:1: missing value for if'],
  ['{{ range .X }}{{ else }}{{ else }}{{ end }}', 'template: test:1: expected end; found {{else}}'],
  ['{{ break }}', 'template: test:1: {{break}} outside {{range}}'],
  ['{{ continue }}', 'template: test:1: {{continue}} outside {{range}}'],
  ['{{ 3 | 4 }}', 'template: test:1: non executable command in pipeline stage 2'],
  ['{{ .X | "a" }}', 'template: test:1: non executable command in pipeline stage 2'],
  ['{{ /* c */ }}', 'template: test:1: unexpected "/" in command'],
  ['{{ é }}', 'template: test:1: function "é" not defined'],
  ['{{ \u00a0 }}', "template: test:1: bad character U+00A0 '\u00a0'"],
  ['{{/* unclosed', 'template: test:1: unclosed comment'],
  ['{{/* c */ x }}', 'template: test:1: comment ends before closing delimiter'],
  ['{{ $x, $y := .X }}', 'template: test:1: too many declarations in command'],
  ['{{ range $a, $b, $c := .X }}{{ end }}', 'template: test:1: too many declarations in range'],
  ['{{ template x }}', 'template: test:1: unexpected "x" in template clause'],
  ['{{ template . }}', 'template: test:1: unexpected <.> in template clause'],
  ['{{ define "a" }}x', 'template: test:1: unexpected EOF'],
  ['{{ 3x }}', 'template: test:1: bad number syntax: "3x"'],
  ['{{ "a".x }}', 'template: test:1: unexpected . after term "\\"a\\""'],
  ['{{ (1 }}', 'template: test:1: unclosed left paren'],
  ['{{ 1) }}', 'template: test:1: unexpected ")" in command'],
  ['{{ # }}', 'template: test:1: unexpected "#" in command'],
  ['{{ $x := 1 }}{{ $y = 2 }}', 'template: test:1: undefined variable "$y"'],
  ['{{ if true }}{{ $x := 1 }}{{ end }}{{ $x }}', 'template: test:1: undefined variable "$x"'],
  ['{{ with $x := 1 }}{{ end }}{{ $x }}', 'template: test:1: undefined variable "$x"'],
  ['{{ define "a" }}a{{ end }}{{ define "a" }}b{{ end }}', 'template: test:1: template: multiple definition of template "a"'],
];

describe('parse errors are worded like Go', () => {
  for (const [text, expected] of parseErrors) {
    it(JSON.stringify(text), async () => {
      await assert.rejects(renderTemplate(text, data, { name: 'test' }), (error: Error) => {
        assert.equal(error.message, expected);
        return true;
      });
    });
  }

  it('exposes the line of a parse error', () => {
    try {
      new Template('file.tmpl').parse('line one\nline two {{ nosuch }}');
      assert.fail('expected a parse error');
    } catch (error) {
      assert.ok(error instanceof TemplateParseError);
      assert.equal(error.line, 2);
      assert.equal(error.templateName, 'file.tmpl');
    }
  });
});

/** [template, expected error message] */
const execErrors: [string, string][] = [
  ['{{ .Nope }}', 'template: test:1:3: executing "test" at <.Nope>: can\'t evaluate field Nope in type main.T'],
  ['x\n  {{ .Struct.Nope }}', 'template: test:2:12: executing "test" at <.Struct.Nope>: can\'t evaluate field Nope in type main.Inner'],
  ['{{ .Name.x }}', 'template: test:1:8: executing "test" at <.Name.x>: can\'t evaluate field x in type string'],
  ['{{ .Nil.x }}', 'template: test:1:7: executing "test" at <.Nil.x>: nil pointer evaluating interface {}.x'],
  ['{{ .Labels.job 1 }}', 'template: test:1:10: executing "test" at <.Labels.job>: job is not a method but has arguments'],
  ['{{ .Struct.A 1 }}', 'template: test:1:10: executing "test" at <.Struct.A>: A has arguments but cannot be invoked as function'],
  ['{{ gt .Ratio 1 }}', 'template: test:1:3: executing "test" at <gt .Ratio 1>: error calling gt: incompatible types for comparison'],
  ['{{ eq .Count "3" }}', 'template: test:1:3: executing "test" at <eq .Count "3">: error calling eq: incompatible types for comparison'],
  ['{{ lt .List 1 }}', 'template: test:1:3: executing "test" at <lt .List 1>: error calling lt: invalid type for comparison'],
  ['{{ lt true false }}', 'template: test:1:3: executing "test" at <lt true false>: error calling lt: invalid type for comparison'],
  ['{{ eq .List .List }}', 'template: test:1:3: executing "test" at <eq .List .List>: error calling eq: non-comparable type [a b c]: []interface {}'],
  ['{{ eq 1 }}', 'template: test:1:3: executing "test" at <eq 1>: error calling eq: missing argument for comparison'],
  ['{{ index .List 5 }}', 'template: test:1:3: executing "test" at <index .List 5>: error calling index: index out of range: 5'],
  ['{{ index .List "a" }}', 'template: test:1:3: executing "test" at <index .List "a">: error calling index: cannot index slice/array with type string'],
  ['{{ index .Count 1 }}', 'template: test:1:3: executing "test" at <index .Count 1>: error calling index: can\'t index item of type int'],
  ['{{ index .Nil 1 }}', 'template: test:1:3: executing "test" at <index .Nil 1>: error calling index: index of untyped nil'],
  ['{{ slice .List 2 1 }}', 'template: test:1:3: executing "test" at <slice .List 2 1>: error calling slice: invalid slice index: 2 > 1'],
  ['{{ slice "abc" 0 1 2 }}', 'template: test:1:3: executing "test" at <slice "abc" 0 1 2>: error calling slice: cannot 3-index slice a string'],
  ['{{ len .Count }}', 'template: test:1:3: executing "test" at <len .Count>: error calling len: len of type int'],
  ['{{ len 3 }}', 'template: test:1:3: executing "test" at <len 3>: error calling len: len of type int'],
  ['{{ printf 3 }}', 'template: test:1:10: executing "test" at <3>: expected string; found 3'],
  ['{{ printf .Count }}', 'template: test:1:10: executing "test" at <.Count>: wrong type for value; expected string; got int'],
  ['{{ printf }}', 'template: test:1:3: executing "test" at <printf>: wrong number of args for printf: want at least 1 got 0'],
  ['{{ not }}', 'template: test:1:3: executing "test" at <not>: wrong number of args for not: want 1 got 0'],
  ['{{ not 1 2 }}', 'template: test:1:3: executing "test" at <not>: wrong number of args for not: want 1 got 2'],
  ['{{ and }}', 'template: test:1:3: executing "test" at <and>: wrong number of args for and: want at least 1 got 0'],
  ['{{ 1 2 }}', 'template: test:1:3: executing "test" at <1>: can\'t give argument to non-function 1'],
  ['{{ .Name 2 }}', 'template: test:1:3: executing "test" at <.Name>: Name has arguments but cannot be invoked as function'],
  ['{{ $x := 1 }}{{ $x 2 }}', 'template: test:1:16: executing "test" at <$x>: can\'t give argument to non-function $x'],
  ['{{ nil }}', 'template: test:1:3: executing "test" at <nil>: nil is not a command'],
  ['{{ template "missing" }}', 'template: test:1:12: executing "test" at <{{template "missing"...>: template "missing" not defined'],
  ['{{ define "d" }}{{ .Nope }}{{ end }}{{ template "d" . }}', 'template: test:1:19: executing "d" at <.Nope>: can\'t evaluate field Nope in type main.T'],
  ['{{ range .Count }}{{ end }}x{{ range .Name }}{{ end }}', 'template: test:1:37: executing "test" at <.Name>: range can\'t iterate over vigil'],
  ['{{ range $i, $e := 3 }}{{ end }}', 'template: test:1:19: executing "test" at <3>: can\'t use 3 to iterate over more than one variable'],
  ['{{ .Methods.Fail }}', 'template: test:1:11: executing "test" at <.Methods.Fail>: error calling Fail: boom'],
  ['{{ call .Nil }}', 'template: test:1:3: executing "test" at <call .Nil>: error calling call: call of nil'],
  ['{{ call .Name }}', 'template: test:1:3: executing "test" at <call .Name>: error calling call: non-function of type string'],
  ['{{ .Func }}', 'template: test:1:3: executing "test" at <{{.Func}}>: can\'t print {{.Func}} of type func(...interface {}) interface {}'],
  ['{{ "a" | printf "%s" 1 2 | len | nope }}', 'template: test:1: function "nope" not defined'],
  ['{{ (1).x }}', 'template: test:1:4: executing "test" at <1>: can\'t evaluate field x in type int'],
  ['{{ 99999999999999999999 }}', 'template: test:1:3: executing "test" at <99999999999999999999>: 99999999999999999999 overflows int'],
];

describe('execution errors carry Go\'s location and context', () => {
  for (const [text, expected] of execErrors) {
    it(JSON.stringify(text), async () => {
      await assert.rejects(renderTemplate(text, data, { name: 'test' }), (error: Error) => {
        assert.equal(error.message, expected);
        return true;
      });
    });
  }

  it('exposes line and column', async () => {
    try {
      await renderTemplate('ok\nok {{ .Nope }}', data, { name: 'f' });
      assert.fail('expected an execution error');
    } catch (error) {
      assert.ok(error instanceof TemplateExecError);
      assert.equal(error.line, 2);
      assert.equal(error.column, 6);
      assert.equal(error.templateName, 'f');
    }
  });

  it('counts columns in UTF-8 bytes like Go', async () => {
    await assert.rejects(renderTemplate('é {{ .Nope }}', data, { name: 'f' }), /template: f:1:6:/);
  });
});

describe('missingkey option', () => {
  const labels = new GoStruct('T', { Labels: stringMap({ a: 'x' }), Any: new GoMap({ a: 1n }) });
  it('default prints <no value>', async () => {
    assert.equal(await renderTemplate('{{ .Labels.b }}|{{ .Any.b }}', labels), '<no value>|<no value>');
  });
  it('zero gives the element zero value', async () => {
    assert.equal(await renderTemplate('{{ .Labels.b }}|{{ .Any.b }}', labels, { missingKey: 'zero' }), '|<no value>');
  });
  it('error fails', async () => {
    await assert.rejects(renderTemplate('{{ .Labels.b }}', labels, { missingKey: 'error', name: 't' }), {
      message: 'template: t:1:10: executing "t" at <.Labels.b>: map has no entry for key "b"',
    });
  });
  it('nil data with error', async () => {
    await assert.rejects(renderTemplate('{{ .Foo }}', undefined, { missingKey: 'error', name: 't' }), {
      message: 'template: t:1:3: executing "t" at <.Foo>: nil data; no entry for key "Foo"',
    });
  });
  it('nil data by default', async () => {
    assert.equal(await renderTemplate('{{ .Foo }}', undefined), '<no value>');
  });
});

describe('template sets', () => {
  it('executes a named definition and lists definitions', async () => {
    const template = new Template('main').parse('{{ define "a" }}A{{ . }}{{ end }}{{ define "b" }}B{{ end }}main');
    assert.deepEqual(template.definedTemplates(), ['a', 'b', 'main']);
    assert.equal(await template.execute('1', 'a'), 'A1');
    assert.equal(await template.execute(null), 'main');
  });

  it('later parses may redefine templates; empty definitions do not replace', async () => {
    const template = new Template('main').parse('{{ define "a" }}one{{ end }}{{ template "a" }}');
    template.parse('{{ define "a" }}two{{ end }}', 'other');
    assert.equal(await template.execute(null), 'two');
    template.parse('{{ define "a" }}  {{ end }}', 'third');
    assert.equal(await template.execute(null), 'two');
  });

  it('block can be overridden by a later define', async () => {
    const template = new Template('main').parse('{{ block "content" . }}default{{ end }}');
    template.parse('{{ define "content" }}custom{{ end }}', 'override');
    assert.equal(await template.execute(null), 'custom');
  });

  it('user functions override builtins and may be async', async () => {
    const template = new Template('f', {
      functions: {
        len: templateFunction(['any'], () => 42n),
        later: templateFunction(['string'], async (text: string) => {
          await new Promise((resolve) => setTimeout(resolve, 1));
          return text.toUpperCase();
        }),
      },
    }).parse('{{ len "x" }} {{ later "abc" }} {{ "def" | later }}');
    assert.equal(await template.execute(null), '42 ABC DEF');
  });

  it('function errors are wrapped as "error calling"', async () => {
    const template = new Template('f', { functions: { fail: templateFunction([], () => { throw new Error('nope'); }) } }).parse('{{ fail }}');
    await assert.rejects(template.execute(null), { message: 'template: f:1:3: executing "f" at <fail>: error calling fail: nope' });
  });

  it('typed parameters convert constants and reject wrong types', async () => {
    const functions = {
      half: templateFunction(['float64'], (value: number) => value / 2),
      twice: templateFunction(['int'], (value: bigint) => value * 2n),
    };
    assert.equal(await renderTemplate('{{ half 3 }} {{ twice 4 }} {{ half 1.5 }}', null, { functions }), '1.5 8 0.75');
    await assert.rejects(renderTemplate('{{ twice 1.5 }}', null, { functions, name: 't' }), { message: 'template: t:1:9: executing "t" at <1.5>: expected integer; found 1.5' });
    await assert.rejects(renderTemplate('{{ half "x" }}', null, { functions, name: 't' }), { message: 'template: t:1:8: executing "t" at <"x">: expected float; found "x"' });
  });

  it('recursion through templates', async () => {
    const template = new Template('r').parse('{{ define "count" }}{{ if . }}{{ index . 0 }}{{ template "count" (slice . 1) }}{{ end }}{{ end }}{{ template "count" .List }}');
    assert.equal(await template.execute(data), 'abc');
  });

  it('unbounded recursion stops at Go\'s depth limit instead of overflowing the stack', async () => {
    await assert.rejects(renderTemplate('{{ define "r" }}{{ template "r" }}{{ end }}{{ template "r" }}', null, { name: 'x' }), {
      message: 'template: x:1:28: executing "r" at <{{template "r"}}>: exceeded maximum template depth (100000)',
    });
  });

  it('custom delimiters', async () => {
    assert.equal(await renderTemplate('[[ .Name ]] {{ .Name }}', data, { leftDelim: '[[', rightDelim: ']]' }), 'vigil {{ .Name }}');
  });
});
