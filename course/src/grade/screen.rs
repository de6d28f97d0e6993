//! The grader's static screen of an answer cell, before it runs.
//!
//! Answers run in the same evcxr process as the lesson's checks, so an answer could disarm
//! them: shadow a name a check uses, replace the panic hook, run shell lines or evcxr
//! commands, read the instructor's files while compiling, or start threads that outlive the
//! cell. [`screen`] reads the code as tokens (comments and the contents of literals removed,
//! line numbers kept) and says why a cell must not run and what an instructor may want to look
//! at. It is a screen, not a sandbox: the kernel's limits still apply.
//!
//! evcxr reads `:` commands and `!` shell lines only before a cell's first line of Rust (blank
//! lines and `//` comments may sit between them); the screen takes that leading run of lines
//! the same way, more loosely (any indentation), and refuses every command in it.

use serde::Serialize;
use std::collections::BTreeSet;

/// What the screen found in one answer cell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Screened {
    /// Reasons the cell must not run (empty: it may run).
    pub refused: Vec<String>,
    /// Things an instructor may want to review, that do not stop the cell.
    pub noticed: Vec<String>,
}

impl Screened {
    /// Whether the cell may run.
    pub fn may_run(&self) -> bool {
        self.refused.is_empty()
    }
}

/// Cells longer than this many lines are noticed.
pub const LONG_CELL: usize = 200;

/// The names a student's answer cells must not define: every identifier the lesson's graded
/// (check) cells use, minus the names the instructor's own solution cells define (an exercise
/// may ask the learner to write `fn my_sigmoid`, which the check then calls).
///
/// A name the checks only call as a method is kept as `.name` (only a trait method of that
/// name could reach the call); a field (`data.targets`) is left out: no answer can redefine it.
pub fn protected_names(graded_cells: &[&str], solution_cells: &[&str]) -> BTreeSet<String> {
    let defined: BTreeSet<String> = solution_cells
        .iter()
        .flat_map(|code| definitions(&Code::read(code).tokens))
        .map(|d| d.key())
        .collect();
    graded_cells
        .iter()
        .flat_map(|code| {
            let tokens = Code::read(code).tokens;
            (0..tokens.len())
                .filter_map(|i| used_name(&tokens, i))
                .collect::<Vec<_>>()
        })
        .filter(|name| !defined.contains(name))
        .collect()
}

/// How a check uses the name at `i`: plainly (`check`), as a method (`.grad(…)`, kept as
/// `.grad`), or not in a way an answer could redefine (a field, `.w_ih`).
fn used_name(tokens: &[Token], i: usize) -> Option<String> {
    let name = tokens[i].name()?;
    if !(i > 0 && tokens[i - 1].punct(".")) {
        return Some(name.to_string());
    }
    let call = tokens
        .get(i + 1)
        .is_some_and(|t| t.punct("(") || t.punct("::"));
    call.then(|| format!(".{name}"))
}

/// Screens one answer cell's code.
pub fn screen(code: &str, protected: &BTreeSet<String>) -> Screened {
    let cell = Code::read(code);
    let mut refused = Findings::default();
    for (line, text) in cell.commands.iter().chain(&cell.stray_commands()) {
        refused.add(*line, command_refusal(text));
    }
    for (i, token) in cell.tokens.iter().enumerate() {
        if let Some(reason) = forbidden(&cell.tokens, i) {
            refused.add(token.line, reason);
        }
    }
    for d in definitions(&cell.tokens) {
        if protected.contains(&d.key()) {
            refused.add(d.line, d.refusal());
        }
    }
    Screened {
        refused: refused.lines(),
        noticed: noticed(code, &cell.tokens, protected),
    }
}

/// Names an exercise must be done without (its answer cell's `backprop.forbid` metadata).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Forbid {
    /// The exercise: its answer cell's grade_id.
    pub exercise: String,
    /// The names it must not use.
    pub names: Vec<String>,
}

/// Why a cell may not run because it uses a name an exercise forbids: any token naming it
/// counts (a call, a value, a path such as `backprop::prelude::sigmoid_prime`, a method
/// `.f_prime(…)`, a `use` that imports or renames it), comments and strings aside. A glob
/// (`use backprop::prelude::*`) names nothing and passes. One reason per name, at its first
/// line.
pub fn forbidden_uses(code: &str, forbids: &[Forbid]) -> Vec<String> {
    let cell = Code::read(code);
    let mut found = Findings::default();
    for token in &cell.tokens {
        let Some(name) = token.name() else { continue };
        for forbid in forbids.iter().filter(|f| f.names.iter().any(|n| n == name)) {
            found.add(
                token.line,
                format!(
                    "uses `{name}`, which exercise {} must be done without: it asks for your own \
                     code, not the library's",
                    forbid.exercise
                ),
            );
        }
    }
    found.lines()
}

/// Reasons or notes with their lines, each kept once (its first line) and given in line order.
#[derive(Default)]
struct Findings(Vec<(usize, String, String)>);

impl Findings {
    /// Records `text` at `line`, once per `text`.
    fn add(&mut self, line: usize, text: String) {
        self.add_as(line, text.clone(), text);
    }

    /// Records `text` at `line` unless something with the same `key` is already recorded.
    fn add_as(&mut self, line: usize, key: String, text: String) {
        if !self.0.iter().any(|(_, k, _)| *k == key) {
            self.0.push((line, key, text));
        }
    }

    fn lines(mut self) -> Vec<String> {
        self.0.sort_by_key(|(line, _, _)| *line);
        self.0
            .into_iter()
            .map(|(line, _, text)| format!("line {line}: {text}"))
            .collect()
    }
}

// ---------------------------------------------------------------------------------------------
// Reading a cell: evcxr's command lines, then Rust as tokens.

/// A cell as evcxr splits it: the command lines before any Rust, then the Rust.
struct Code {
    /// The leading `:` commands and `!` shell lines (trimmed), with their lines.
    commands: Vec<(usize, String)>,
    /// The Rust, as tokens.
    tokens: Vec<Token>,
    /// The Rust's lines with comments and literals blanked, numbered as in the cell.
    lines: Vec<(usize, String)>,
}

impl Code {
    fn read(code: &str) -> Code {
        let mut commands = Vec::new();
        let (mut rest, mut first) = (code, 1);
        for line in code.split_inclusive('\n') {
            let text = line.trim();
            if text.starts_with(['!', ':']) {
                commands.push((first, text.to_string()));
            } else if !(text.is_empty() || text.starts_with("//")) {
                break;
            }
            rest = &rest[line.len()..];
            first += 1;
        }
        let (tokens, clean) = lex(rest, first);
        let lines = clean
            .lines()
            .enumerate()
            .map(|(i, l)| (first + i, l.to_string()))
            .collect();
        Code {
            commands,
            tokens,
            lines,
        }
    }

    /// Lines of the Rust part that start like an evcxr command (`:dep`): evcxr would read
    /// them as Rust, but no Rust line starts that way, so they are refused all the same.
    fn stray_commands(&self) -> Vec<(usize, String)> {
        self.lines
            .iter()
            .map(|(n, l)| (*n, l.trim()))
            .filter(|(_, l)| {
                l.strip_prefix(':')
                    .is_some_and(|r| r.starts_with(|c: char| c.is_ascii_alphabetic()))
            })
            .map(|(n, l)| (n, l.to_string()))
            .collect()
    }
}

fn command_refusal(text: &str) -> String {
    if text.starts_with('!') {
        let shown: String = text.chars().take(40).collect();
        let cut = if shown.len() < text.len() { "…" } else { "" };
        format!("shell command `{shown}{cut}` is not allowed in answers")
    } else {
        let name = text.split_whitespace().next().unwrap_or(text);
        format!("evcxr command `{name}` is not allowed in answers")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// An identifier or keyword.
    Word,
    /// A raw identifier (`r#name`); its text is the name without `r#`.
    RawWord,
    /// A lifetime or loop label (`'a`).
    Lifetime,
    /// A string, char or number literal; its text is empty.
    Literal,
    /// Punctuation: one character, or a pair such as `::` or `+=`.
    Punct,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Token {
    kind: Kind,
    text: String,
    line: usize,
}

/// Rust's keywords (strict and reserved), and `_`: never names.
const KEYWORDS: [&str; 52] = [
    "_", "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum",
    "extern", "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move",
    "mut", "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true",
    "type", "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "try", "typeof", "unsized", "virtual", "yield",
];

impl Token {
    /// The identifier this token names, if it is one (keywords are not).
    fn name(&self) -> Option<&str> {
        let word = self.kind == Kind::Word && !KEYWORDS.contains(&self.text.as_str());
        (word || self.kind == Kind::RawWord).then_some(self.text.as_str())
    }

    fn punct(&self, text: &str) -> bool {
        self.kind == Kind::Punct && self.text == text
    }

    fn word(&self, text: &str) -> bool {
        self.kind == Kind::Word && self.text == text
    }
}

/// Punctuation read as one token.
const PAIRS: [&str; 15] = [
    "::", "->", "=>", "==", "!=", "<=", ">=", "+=", "-=", "*=", "/=", "%=", "^=", "&=", "|=",
];

/// The tokens of `code`, whose first line is `first_line`, and `code` with every comment and
/// literal blanked (newlines kept).
fn lex(code: &str, first_line: usize) -> (Vec<Token>, String) {
    let mut lexer = Lexer {
        chars: code.chars().collect(),
        at: 0,
        line: first_line,
        clean: String::new(),
        tokens: Vec::new(),
    };
    while lexer.at < lexer.chars.len() {
        lexer.next();
    }
    (lexer.tokens, lexer.clean)
}

struct Lexer {
    chars: Vec<char>,
    at: usize,
    line: usize,
    clean: String,
    tokens: Vec<Token>,
}

fn starts_word(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

fn continues_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

impl Lexer {
    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.at + ahead).copied()
    }

    /// Consumes one character; `keep` copies it to the clean text, else a blank stands in.
    fn bump(&mut self, keep: bool) {
        let Some(c) = self.peek(0) else { return };
        self.at += 1;
        if c == '\n' {
            self.line += 1;
        }
        self.clean.push(if keep || c == '\n' { c } else { ' ' });
    }

    fn bump_while(&mut self, keep: bool, mut more: impl FnMut(char) -> bool) {
        while self.peek(0).is_some_and(&mut more) {
            self.bump(keep);
        }
    }

    /// Skips a blank or a comment, or reads one token.
    fn next(&mut self) {
        if !self.skipped() {
            let (start, line) = (self.at, self.line);
            let kind = self.token();
            let from = start + if kind == Kind::RawWord { 2 } else { 0 };
            let text = match kind {
                Kind::Literal => String::new(),
                _ => self.chars[from..self.at].iter().collect(),
            };
            self.tokens.push(Token { kind, text, line });
        }
    }

    /// Skips one blank or one comment (`//…`, `/* … */` nested, doc comments alike).
    fn skipped(&mut self) -> bool {
        match (self.peek(0), self.peek(1)) {
            (Some(c), _) if c.is_whitespace() => self.bump(true),
            (Some('/'), Some('/')) => self.bump_while(false, |c| c != '\n'),
            (Some('/'), Some('*')) => self.block_comment(),
            _ => return false,
        }
        true
    }

    fn block_comment(&mut self) {
        let mut depth = 0;
        while let Some(c) = self.peek(0) {
            match (c, self.peek(1)) {
                ('/', Some('*')) => depth += 1,
                ('*', Some('/')) => depth -= 1,
                _ => {
                    self.bump(false);
                    continue;
                }
            }
            self.bump(false);
            self.bump(false);
            if depth == 0 {
                return;
            }
        }
    }

    /// Reads one token and says what kind it is.
    fn token(&mut self) -> Kind {
        let c = self.peek(0).unwrap_or(' ');
        if let Some((quote, hashes)) = self.string_start() {
            (0..=quote).for_each(|_| self.bump(false));
            match hashes {
                Some(n) => self.raw_string_body(n),
                None => self.quoted_body('"', true),
            }
            return Kind::Literal;
        }
        match (c, self.peek(1), self.peek(2)) {
            ('b', Some('\''), _) => {
                self.bump(false);
                self.bump(false);
                self.quoted_body('\'', false);
                Kind::Literal
            }
            ('\'', _, _) => self.quote(),
            ('r', Some('#'), Some(n)) if starts_word(n) => {
                self.bump(true);
                self.bump(true);
                self.bump_while(true, continues_word);
                Kind::RawWord
            }
            _ if starts_word(c) => {
                self.bump_while(true, continues_word);
                Kind::Word
            }
            _ if c.is_ascii_digit() => {
                self.number();
                Kind::Literal
            }
            _ => {
                let pair: String = [c].into_iter().chain(self.peek(1)).collect();
                let width = if PAIRS.contains(&pair.as_str()) { 2 } else { 1 };
                (0..width).for_each(|_| self.bump(true));
                Kind::Punct
            }
        }
    }

    /// Whether a string literal starts here (`"`, `b"`, `c"`, `r#"`, `br"`, ...): the index of
    /// its opening quote, and for a raw string its number of `#`s.
    fn string_start(&self) -> Option<(usize, Option<usize>)> {
        let prefix = usize::from(matches!(self.peek(0), Some('b' | 'c')));
        if self.peek(prefix) == Some('r') {
            let hashes = (prefix + 1..)
                .take_while(|&i| self.peek(i) == Some('#'))
                .count();
            let quote = prefix + 1 + hashes;
            return (self.peek(quote) == Some('"')).then_some((quote, Some(hashes)));
        }
        (self.peek(prefix) == Some('"')).then_some((prefix, None))
    }

    /// The rest of a quoted literal after its opening quote, escapes included; a char literal
    /// (`multiline` false) stops at the end of its line.
    fn quoted_body(&mut self, close: char, multiline: bool) {
        while let Some(c) = self.peek(0) {
            if c == '\n' && !multiline {
                return;
            }
            self.bump(false);
            if c == '\\' {
                self.bump(false);
            } else if c == close {
                return;
            }
        }
    }

    fn raw_string_body(&mut self, hashes: usize) {
        while let Some(c) = self.peek(0) {
            self.bump(false);
            if c == '"' && (0..hashes).all(|i| self.peek(i) == Some('#')) {
                (0..hashes).for_each(|_| self.bump(false));
                return;
            }
        }
    }

    /// At a `'`: a lifetime or label (`'a`, `'static`), or a char literal (`'a'`, `'\n'`).
    fn quote(&mut self) -> Kind {
        let lifetime = self.peek(1).is_some_and(starts_word) && self.peek(2) != Some('\'');
        if lifetime {
            self.bump(true);
            self.bump_while(true, continues_word);
            return Kind::Lifetime;
        }
        self.bump(false);
        self.quoted_body('\'', false);
        Kind::Literal
    }

    fn number(&mut self) {
        while let Some(c) = self.peek(0) {
            let fraction = c == '.' && self.peek(1).is_some_and(|d| d.is_ascii_digit());
            if !(continues_word(c) || fraction) {
                return;
            }
            self.bump(true);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// What is refused: forbidden words, and definitions of names the checks use.

/// Why the token at `i` may not appear in an answer, if it may not.
fn forbidden(tokens: &[Token], i: usize) -> Option<String> {
    let token = &tokens[i];
    if !matches!(token.kind, Kind::Word | Kind::RawWord) {
        return None;
    }
    let word = token.text.as_str();
    let what = match word {
        "mod" if file_module(&tokens[i + 1..]) => {
            "`mod name;` (it reads a file while compiling)".to_string()
        }
        "unsafe" => "`unsafe` code".to_string(),
        "extern" => "`extern` (other crates and foreign code)".to_string(),
        "macro_rules" => "`macro_rules!` (a macro can stand in for a check's)".to_string(),
        "include" | "include_str" | "include_bytes" => {
            format!("`{word}!` (it reads files while compiling)")
        }
        "asm" | "global_asm" | "naked_asm" => format!("`{word}!` (inline assembly)"),
        "no_mangle" | "export_name" | "link_section" | "link_name" => {
            format!("the linker attribute `{word}`")
        }
        "set_hook" | "take_hook" => format!("`{word}` (it replaces the panic hook)"),
        "spawn" | "spawn_scoped" | "fork" => format!("`{word}` (it starts a thread or process)"),
        "Command" => "`Command` (it runs programs)".to_string(),
        _ => return None,
    };
    Some(format!("{what} is not allowed in answers"))
}

/// Whether a `mod` is followed by `name;`: a module read from a file (`#[path]` can name any).
fn file_module(rest: &[Token]) -> bool {
    matches!(rest, [name, end, ..] if name.name().is_some() && end.punct(";"))
}

/// A name an answer defines where the checks can see it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Definition {
    line: usize,
    name: String,
    /// The keyword that defines it: `fn`, `let`, `use`, ...
    by: &'static str,
    /// It is a trait's method, which reaches method calls only.
    method: bool,
}

impl Definition {
    /// How [`protected_names`] spells what it defines: `name`, or `.name` for a method.
    fn key(&self) -> String {
        let dot = if self.method { "." } else { "" };
        format!("{dot}{}", self.name)
    }

    fn refusal(&self) -> String {
        let (by, name) = (self.by, &self.name);
        if self.method {
            format!("`fn` defines the method `{name}`, which the checks call")
        } else {
            format!("`{by}` defines `{name}`, a name the checks use")
        }
    }
}

/// Keywords followed by the name of the item they define (`union` is contextual).
const DEFINERS: [&str; 9] = [
    "fn", "struct", "enum", "union", "type", "trait", "mod", "const", "static",
];

/// Keywords that start a statement or item and decide what its `{` opens.
const OPENERS: [&str; 11] = [
    "fn", "struct", "enum", "trait", "mod", "impl", "const", "static", "let", "type", "use",
];

/// The names the cell's Rust defines where later cells see them: items at the top level or in
/// a module body, a trait's methods (they reach method calls), names a top-level `let` binds,
/// and names a `use` there brings in. Items inside functions, blocks and `impl` bodies stay
/// local.
fn definitions(tokens: &[Token]) -> Vec<Definition> {
    let mut found = Vec::new();
    let mut scope = Scope::new();
    for (i, token) in tokens.iter().enumerate() {
        if scope.items() {
            found.extend(defined_at(tokens, i, &scope));
        }
        scope.step(token);
    }
    found
}

/// What the token at `i` defines, when it stands where items reach later cells.
fn defined_at(tokens: &[Token], i: usize, scope: &Scope) -> Vec<Definition> {
    let token = &tokens[i];
    let rest = &tokens[i + 1..];
    let method = scope.in_trait();
    let (by, names) = match DEFINERS.iter().find(|d| token.word(d)) {
        Some(&"fn") if method => ("fn", rest.iter().take(1).collect()),
        _ if method => return Vec::new(),
        Some(d) if !in_type(tokens, i) => (*d, rest.iter().take(1).collect()),
        _ if scope.top() && token.word("let") && !conditional(tokens, i) => {
            ("let", pattern_names(rest))
        }
        _ if token.word("use") && !rest.first().is_some_and(|t| t.punct("<")) => {
            ("use", use_names(until(rest, &[";"])))
        }
        _ => return Vec::new(),
    };
    names
        .into_iter()
        .filter_map(|t| {
            let name = t.name()?.to_string();
            let line = t.line;
            Some(Definition {
                line,
                name,
                by,
                method,
            })
        })
        .collect()
}

/// Whether the `let` at `i` is a condition (`if let`, `while let`, `&& let`), whose names
/// live only in its block.
fn conditional(tokens: &[Token], i: usize) -> bool {
    let before = i.checked_sub(1).map(|p| &tokens[p]);
    before.is_some_and(|t| t.word("if") || t.word("while") || t.punct("&&"))
}

/// Whether the keyword at `i` is part of a type or generics (`*const T`, `<const N: usize>`).
fn in_type(tokens: &[Token], i: usize) -> bool {
    let before = i.checked_sub(1).map(|p| &tokens[p]);
    before.is_some_and(|t| t.punct("*") || t.punct("<") || t.punct(","))
}

/// The tokens before the first of `stops` outside brackets (or before an unmatched closer).
fn until<'t>(tokens: &'t [Token], stops: &[&str]) -> &'t [Token] {
    let mut depth = 0usize;
    for (i, t) in tokens.iter().enumerate() {
        match t.text.as_str() {
            _ if t.kind != Kind::Punct => {}
            "(" | "[" | "{" => depth += 1,
            ")" | "]" | "}" if depth == 0 => return &tokens[..i],
            ")" | "]" | "}" => depth -= 1,
            stop if depth == 0 && stops.contains(&stop) => return &tokens[..i],
            _ => {}
        }
    }
    tokens
}

/// The names a `let` pattern binds; `rest` follows the `let`. Paths, constructors and field
/// names are not bindings.
fn pattern_names(rest: &[Token]) -> Vec<&Token> {
    let pattern = until(rest, &["=", ":", ";"]);
    let binds = |j: usize| {
        let next = pattern.get(j + 1);
        let before = j.checked_sub(1).map(|p| &pattern[p]);
        !next.is_some_and(|n| ["(", "{", "::", "!", ":"].iter().any(|p| n.punct(p)))
            && !before.is_some_and(|b| b.punct("::"))
    };
    (0..pattern.len())
        .filter(|&j| binds(j))
        .map(|j| &pattern[j])
        .collect()
}

/// The names a `use` tree brings in: each path's last name or its `as` alias, and for
/// `{self}` the module it names.
fn use_names(tree: &[Token]) -> Vec<&Token> {
    let mut names = Vec::new();
    let mut groups: Vec<Option<&Token>> = Vec::new();
    let mut segment = None;
    for (j, t) in tree.iter().enumerate() {
        let next = tree.get(j + 1);
        let continued = next.is_some_and(|n| n.punct("::") || n.word("as"));
        if t.punct("{") {
            groups.push(segment);
        } else if t.punct("}") {
            groups.pop();
        } else if t.word("self") && !continued {
            names.extend(groups.last().copied().flatten());
        } else if t.name().is_some() {
            segment = Some(t);
            let alias = j > 0 && tree[j - 1].word("as");
            if alias || !continued {
                names.push(t);
            }
        }
    }
    names
}

/// The brackets around a token, and whether items defined there reach later cells.
struct Scope {
    frames: Vec<Frame>,
}

struct Frame {
    body: Body,
    /// The first keyword of the statement being read in it, which decides what a `{` opens.
    opener: Option<&'static str>,
}

/// What a bracket holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Body {
    /// The cell itself, outside every bracket.
    Cell,
    /// A `trait`'s items.
    Trait,
    /// A `mod`'s items.
    Module,
    /// Anything else: a function body, a block, an `impl`, arguments, ...
    Local,
}

impl Scope {
    fn new() -> Scope {
        let cell = Frame {
            body: Body::Cell,
            opener: None,
        };
        Scope { frames: vec![cell] }
    }

    /// Outside every bracket.
    fn top(&self) -> bool {
        self.frames.len() == 1
    }

    /// Where an item defined reaches later cells.
    fn items(&self) -> bool {
        self.frames.iter().all(|f| f.body != Body::Local)
    }

    /// Directly in a trait's body.
    fn in_trait(&self) -> bool {
        self.frames.last().is_some_and(|f| f.body == Body::Trait)
    }

    fn innermost(&mut self) -> &mut Frame {
        self.frames
            .last_mut()
            .expect("the cell's own frame is never closed")
    }

    /// Moves past `token`.
    fn step(&mut self, token: &Token) {
        let opens = |body| Frame { body, opener: None };
        match (token.kind, token.text.as_str()) {
            (Kind::Punct, "{") => {
                let body = match self.innermost().opener.take() {
                    Some("trait") => Body::Trait,
                    Some("mod") => Body::Module,
                    _ => Body::Local,
                };
                self.frames.push(opens(body));
            }
            (Kind::Punct, "(" | "[") => self.frames.push(opens(Body::Local)),
            (Kind::Punct, "}" | ")" | "]") if !self.top() => {
                self.frames.pop();
            }
            (Kind::Punct, ";") => self.innermost().opener = None,
            (Kind::Word, word) => {
                if let Some(opener) = OPENERS.iter().find(|o| **o == word) {
                    self.innermost().opener.get_or_insert(opener);
                }
            }
            _ => {}
        }
    }
}

// ---------------------------------------------------------------------------------------------
// What is noticed: things worth a look that do not stop the cell.

/// A kind of thing worth noticing, and the words that show it.
struct Watch {
    what: &'static str,
    /// Words noticed wherever they appear.
    anywhere: &'static [&'static str],
    /// Words noticed in a path or as a macro (`std::env`, `env::var`, `env!`).
    in_paths: &'static [&'static str],
}

const WATCHED: [Watch; 7] = [
    Watch {
        what: "file access",
        anywhere: &["File", "OpenOptions", "read_to_string", "read_dir"],
        in_paths: &["fs"],
    },
    Watch {
        what: "the environment",
        anywhere: &[],
        in_paths: &["env", "option_env", "var", "args"],
    },
    Watch {
        what: "network access",
        anywhere: &["TcpStream", "UdpSocket", "TcpListener"],
        in_paths: &["net"],
    },
    Watch {
        what: "the process",
        anywhere: &[],
        in_paths: &["process", "exit", "abort"],
    },
    Watch {
        what: "threads",
        anywhere: &[],
        in_paths: &["thread", "sleep"],
    },
    Watch {
        what: "catching panics",
        anywhere: &["catch_unwind"],
        in_paths: &[],
    },
    Watch {
        what: "standard output or error handles",
        anywhere: &["stdout", "stderr"],
        in_paths: &[],
    },
];

impl Watch {
    fn sees(&self, tokens: &[Token], i: usize) -> bool {
        let Some(name) = tokens[i].name() else {
            return false;
        };
        self.anywhere.contains(&name) || self.in_paths.contains(&name) && in_path(tokens, i)
    }
}

/// Whether the name at `i` is part of a path (`a::b`) or names a macro (`env!`).
fn in_path(tokens: &[Token], i: usize) -> bool {
    let before = i.checked_sub(1).map(|p| &tokens[p]);
    let after = tokens.get(i + 1);
    before.is_some_and(|t| t.punct("::")) || after.is_some_and(|t| t.punct("::") || t.punct("!"))
}

/// The whole `a::b::c` path the name at `i` is part of.
fn path_at(tokens: &[Token], i: usize) -> String {
    let joined = |at: usize| tokens[at].punct("::");
    let mut start = i;
    while start >= 2 && joined(start - 1) && tokens[start - 2].name().is_some() {
        start -= 2;
    }
    let mut end = i;
    while end + 2 < tokens.len() && joined(end + 1) && tokens[end + 2].name().is_some() {
        end += 2;
    }
    tokens[start..=end]
        .iter()
        .map(|t| t.text.as_str())
        .collect()
}

/// Everything worth a look, each kind once with its first line.
fn noticed(code: &str, tokens: &[Token], protected: &BTreeSet<String>) -> Vec<String> {
    let mut found = Findings::default();
    for (i, token) in tokens.iter().enumerate() {
        if let Some(watch) = WATCHED.iter().find(|w| w.sees(tokens, i)) {
            let text = format!("{} (`{}`)", watch.what, path_at(tokens, i));
            found.add_as(token.line, watch.what.to_string(), text);
        }
        if let Some(name) = assigned(tokens, i).filter(|n| protected.contains(*n)) {
            found.add(
                token.line,
                format!("assigns to `{name}`, a name the checks use"),
            );
        }
    }
    let lines = code.lines().count();
    if lines > LONG_CELL {
        let text = format!("the cell is {lines} lines long (over {LONG_CELL})");
        found.add(LONG_CELL + 1, text);
    }
    found.lines()
}

/// Assignment operators.
const ASSIGNMENTS: [&str; 9] = ["=", "+=", "-=", "*=", "/=", "%=", "^=", "&=", "|="];

/// The name a statement starting at `i` assigns to (`x = …;`, `x += …;`).
fn assigned(tokens: &[Token], i: usize) -> Option<&str> {
    let before = i.checked_sub(1).map(|p| &tokens[p]);
    let starts = before.is_none_or(|t| [";", "{", "}", "=>"].iter().any(|p| t.punct(p)));
    let op = tokens.get(i + 1)?;
    let assigns = ASSIGNMENTS.iter().any(|a| op.punct(a));
    (starts && assigns).then(|| tokens[i].name()).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notebook::{self, nbgrader};
    use std::path::Path;

    fn names(list: &[&str]) -> BTreeSet<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    fn refused(code: &str, protected: &[&str]) -> Vec<String> {
        screen(code, &names(protected)).refused
    }

    fn noticed(code: &str, protected: &[&str]) -> Vec<String> {
        screen(code, &names(protected)).noticed
    }

    #[test]
    fn a_clean_answer_passes_with_nothing_noticed() {
        let code = "let my_sse: f64 = {\n    (&y - &y_hat).mapv(|e| e * e).sum()\n};";
        let screened = screen(code, &names(&["check", "y", "y_hat"]));
        assert_eq!(
            screened,
            Screened {
                refused: vec![],
                noticed: vec![]
            }
        );
        assert!(screened.may_run());
    }

    #[test]
    fn comments_and_literals_that_mention_forbidden_words_pass() {
        let code =
            "// don't use unsafe\n/// spawn a Command\nlet s = \"unsafe { std::fs::File }\";\n\
                    /* outer /* nested spawn */ still a comment: macro_rules! */\n\
                    let r = r#\"include_str!(\"x\") \"# ;\nlet b = b\"extern\";\nlet c = '\"';\n\
                    let q = '\\'';\nlet check = \"\n:dep rand\n!ls\";";
        assert_eq!(screen(code, &names(&["dep"])), screen("", &names(&[])));
    }

    #[test]
    fn each_forbidden_word_is_refused_with_its_line() {
        let cases = [
            ("unsafe { f() }", "`unsafe` code"),
            (
                "extern crate rand;",
                "`extern` (other crates and foreign code)",
            ),
            (
                "let s = include_str!(\"../secret.rs\");",
                "`include_str!` (it reads files while compiling)",
            ),
            ("#[no_mangle]\n", "the linker attribute `no_mangle`"),
            (
                "std::panic::set_hook(Box::new(|_| {}));",
                "`set_hook` (it replaces the panic hook)",
            ),
            (
                "std::thread::spawn(|| loop {});",
                "`spawn` (it starts a thread or process)",
            ),
            (
                "std::process::Command::new(\"sh\");",
                "`Command` (it runs programs)",
            ),
            (
                "#[path = \"/srv/answers.rs\"] mod answers;",
                "`mod name;` (it reads a file while compiling)",
            ),
        ];
        for (code, what) in cases {
            let expected = format!("line 2: {what} is not allowed in answers");
            assert_eq!(refused(&format!("let a = 1;\n{code}"), &[]), [expected]);
        }
        let words = [
            "unsafe",
            "extern",
            "macro_rules",
            "include",
            "include_str",
            "include_bytes",
            "asm",
            "global_asm",
            "naked_asm",
            "no_mangle",
            "export_name",
            "link_section",
            "link_name",
            "set_hook",
            "take_hook",
            "spawn",
            "spawn_scoped",
            "Command",
            "fork",
        ];
        for word in words {
            let reasons = refused(&format!("let a = 1;\nx.{word}"), &[]);
            assert_eq!(reasons.len(), 1, "{word}: {reasons:?}");
            assert!(reasons[0].starts_with("line 2: "), "{word}: {reasons:?}");
            assert!(
                reasons[0].contains(&format!("`{word}")),
                "{word}: {reasons:?}"
            );
        }
    }

    #[test]
    fn definitions_of_protected_names_are_refused_and_other_names_allowed() {
        let cases = [
            ("fn check(_: &str) {}", "`fn` defines `check`"),
            ("let check = |_: &str| ();", "`let` defines `check`"),
            (
                "let (a, check_that) = (1, 2);",
                "`let` defines `check_that`",
            ),
            ("use std::mem::drop as check;", "`use` defines `check`"),
            ("const check: u8 = 1;", "`const` defines `check`"),
            ("struct check;", "`struct` defines `check`"),
            ("fn r#check() {}", "`fn` defines `check`"),
        ];
        for (code, what) in cases {
            let expected = format!("line 1: {what}, a name the checks use");
            assert_eq!(
                refused(code, &["check", "check_that"]),
                [expected],
                "{code}"
            );
            assert_eq!(refused(code, &["other"]), Vec::<String>::new(), "{code}");
        }
    }

    #[test]
    fn a_use_tree_is_refused_for_each_protected_name_it_brings_in() {
        let code = "use std::{\n    mem::{self, swap as check_that},\n    fmt,\n};";
        let protected = ["std", "mem", "swap", "check_that", "fmt"];
        assert_eq!(
            refused(code, &protected),
            [
                "line 2: `use` defines `mem`, a name the checks use",
                "line 2: `use` defines `check_that`, a name the checks use",
                "line 3: `use` defines `fmt`, a name the checks use",
            ]
        );
    }

    #[test]
    fn local_definitions_pass_but_trait_methods_do_not() {
        let local = "let slope = {\n    fn sigmoid_prime(h: f64) -> f64 { h }\n    \
                     let dot = 1.0;\n    sigmoid_prime(dot)\n};\n\
                     impl Mine { fn dot(&self) -> f64 { 0.0 } }\n\
                     if let Some(dot) = best { println!(\"{dot}\") }";
        assert_eq!(
            refused(local, &["sigmoid_prime", "dot", ".dot"]),
            Vec::<String>::new()
        );
        let top = "fn sigmoid_prime(h: f64) -> f64 { h }\ntrait Cheat {\n    \
                   fn dot(self) -> f64;\n    const sigmoid_prime: u8;\n}";
        assert_eq!(
            refused(top, &["sigmoid_prime", ".dot"]),
            [
                "line 1: `fn` defines `sigmoid_prime`, a name the checks use",
                "line 3: `fn` defines the method `dot`, which the checks call",
            ]
        );
    }

    #[test]
    fn methods_the_checks_call_are_protected_as_methods_and_fields_not_at_all() {
        let check = "check(\"g\", &one.grad(w1), &library.w_ih, \"\");";
        let protected = protected_names(&[check], &[]);
        assert_eq!(
            protected,
            names(&[".grad", "check", "library", "one", "w1"])
        );
        let plain = "let grad = one.grad(l1);\nlet w_ih = 2.0;\nfn grad() {}";
        assert_eq!(screen(plain, &protected).refused, Vec::<String>::new());
        let cheat = "trait Cheat {\n    fn grad(self, _: usize) -> f64 { 0.0 }\n}";
        assert_eq!(
            screen(cheat, &protected).refused,
            ["line 2: `fn` defines the method `grad`, which the checks call"]
        );
    }

    #[test]
    fn extern_crate_self_is_refused() {
        assert_eq!(
            refused("extern crate self as backprop;", &["backprop"]),
            ["line 1: `extern` (other crates and foreign code) is not allowed in answers"]
        );
    }

    #[test]
    fn macro_rules_for_assert_eq_is_refused() {
        let code = "macro_rules! assert_eq {\n    ($a:expr, $b:expr) => {};\n}";
        assert_eq!(
            refused(code, &["assert_eq"]),
            ["line 1: `macro_rules!` (a macro can stand in for a check's) is not allowed in answers"]
        );
    }

    #[test]
    fn shell_lines_and_evcxr_commands_are_refused_but_negation_and_not_equal_pass() {
        assert_eq!(
            refused("!cat /etc/passwd", &[]),
            ["line 1: shell command `!cat /etc/passwd` is not allowed in answers"]
        );
        assert_eq!(
            refused(":dep rand = \"0.8\"", &[]),
            ["line 1: evcxr command `:dep` is not allowed in answers"]
        );
        assert_eq!(
            refused("// set up\n  :env X=1\n\n!ls -la\nlet x = 1;\n:opt 2", &[]),
            [
                "line 2: evcxr command `:env` is not allowed in answers",
                "line 4: shell command `!ls -la` is not allowed in answers",
                "line 6: evcxr command `:opt` is not allowed in answers",
            ]
        );
        for command in [
            ":dep",
            ":env",
            ":build_env",
            ":opt",
            ":linker",
            ":cache",
            ":clear",
            ":restart",
            ":offline",
            ":toolchain",
        ] {
            let expected = format!("line 1: evcxr command `{command}` is not allowed in answers");
            assert_eq!(refused(&format!("{command} x"), &[]), [expected]);
        }
        for code in [
            "let ok = !done;",
            "let same = a != b;",
            "let x = 1;\n!x",
            "let t = ::std::f64::consts::PI;",
        ] {
            assert_eq!(refused(code, &[]), Vec::<String>::new(), "{code}");
        }
    }

    #[test]
    fn lifetimes_and_labels_do_not_confuse_the_lexer() {
        let code = "fn f<'a>(x: &'a str) -> &'a str { x }\nlet s: &'static str = \"a\";\n\
                    'outer: loop { break 'outer; }\nlet c = 'x';\nlet e = '\\n';\nunsafe {}";
        assert_eq!(
            refused(code, &[]),
            ["line 6: `unsafe` code is not allowed in answers"]
        );
    }

    #[test]
    fn protected_names_are_the_checks_names_minus_the_solutions_definitions() {
        let check = "check(\"SSE\", &my_sse, &4.75, \"hint\");\nassert!(my_sse > 0.0);";
        let solution =
            "let my_sse: f64 = {\n    // BEGIN SOLUTION\n    1.0\n    // END SOLUTION\n};";
        assert_eq!(
            protected_names(&[check], &[solution]),
            names(&["assert", "check"])
        );
        assert_eq!(
            protected_names(&[check], &[]),
            names(&["assert", "check", "my_sse"])
        );
    }

    #[test]
    fn noticed_items_are_reported_once_with_their_first_line() {
        let code = "let t = std::fs::read_to_string(\"a\")?;\nlet f = File::open(\"b\")?;\n\
                    std::thread::sleep(d);\nlet h = std::env::var(\"HOME\");\nthread::sleep(d);\n\
                    let o = std::io::stdout().lock();\nstd::process::exit(0);";
        assert_eq!(
            noticed(code, &[]),
            [
                "line 1: file access (`std::fs::read_to_string`)",
                "line 3: threads (`std::thread::sleep`)",
                "line 4: the environment (`std::env::var`)",
                "line 6: standard output or error handles (`std::io::stdout`)",
                "line 7: the process (`std::process::exit`)",
            ]
        );
        assert_eq!(refused(code, &[]), Vec::<String>::new());
    }

    #[test]
    fn assignments_to_protected_names_and_long_cells_are_noticed() {
        assert_eq!(
            noticed(
                "let a = 1;\none = a;\nx += 1;\nlet b = x >= 2;",
                &["one", "x"]
            ),
            [
                "line 2: assigns to `one`, a name the checks use",
                "line 3: assigns to `x`, a name the checks use",
            ]
        );
        let long = "let a = 1;\n".repeat(LONG_CELL + 5);
        assert_eq!(
            noticed(&long, &[]),
            ["line 201: the cell is 205 lines long (over 200)"]
        );
    }

    fn slope_forbids() -> Vec<Forbid> {
        vec![Forbid {
            exercise: "unit-slope".into(),
            names: vec!["sigmoid_prime".into(), "f_prime".into()],
        }]
    }

    const USES_SIGMOID_PRIME: &str = "uses `sigmoid_prime`, which exercise unit-slope must be \
                                      done without: it asks for your own code, not the library's";

    #[test]
    fn a_call_to_a_forbidden_item_is_refused_with_the_exercise_and_the_item() {
        let code = "let slope: f64 = {\n    sigmoid_prime(0.7)\n};";
        assert_eq!(
            forbidden_uses(code, &slope_forbids()),
            [format!("line 2: {USES_SIGMOID_PRIME}")]
        );
    }

    #[test]
    fn a_path_a_method_a_raw_name_or_a_bare_value_naming_the_item_is_refused() {
        for code in [
            "backprop::activation::sigmoid_prime(0.7)",
            "let s = ::backprop::prelude::sigmoid_prime::<f64>(0.7);",
            "Activation::Sigmoid.f_prime(0.7)",
            "r#sigmoid_prime(0.7)",
            "[0.7].map(sigmoid_prime)[0]",
        ] {
            let refused = forbidden_uses(code, &slope_forbids());
            assert_eq!(refused.len(), 1, "{code}: {refused:?}");
            assert!(
                refused[0].starts_with("line 1: uses `"),
                "{code}: {refused:?}"
            );
        }
    }

    #[test]
    fn a_use_that_imports_or_renames_the_item_is_refused_but_a_glob_passes() {
        let renamed = "use backprop::prelude::sigmoid_prime as s;\nlet slope = s(0.7);";
        assert_eq!(
            forbidden_uses(renamed, &slope_forbids()),
            [format!("line 1: {USES_SIGMOID_PRIME}")]
        );
        let tree = "use backprop::{activation::{sigmoid, sigmoid_prime}, loss};";
        assert_eq!(forbidden_uses(tree, &slope_forbids()).len(), 1);
        let glob = "use backprop::prelude::*;\nlet s = sigmoid(0.7);\nlet slope = s * (1.0 - s);";
        assert_eq!(forbidden_uses(glob, &slope_forbids()), Vec::<String>::new());
    }

    #[test]
    fn a_forbidden_name_in_a_comment_or_a_string_or_inside_another_name_passes() {
        let code = "// not sigmoid_prime: my own\nlet label = \"sigmoid_prime\";\n\
                    let my_sigmoid_prime = 1.0;\nlet x = sigmoid_prime_of;";
        assert_eq!(forbidden_uses(code, &slope_forbids()), Vec::<String>::new());
    }

    #[test]
    fn each_forbidden_name_is_reported_once_at_its_first_line_for_every_exercise_naming_it() {
        let forbids = vec![
            Forbid {
                exercise: "a".into(),
                names: vec!["train_mlp".into()],
            },
            Forbid {
                exercise: "b".into(),
                names: vec!["train_mlp".into(), "mlp_mse".into()],
            },
        ];
        let code = "let n = 1;\nlet r = train_mlp(x);\ntrain_mlp(y);\nmlp_mse(n)";
        let tail = "must be done without: it asks for your own code, not the library's";
        assert_eq!(
            forbidden_uses(code, &forbids),
            [
                format!("line 2: uses `train_mlp`, which exercise a {tail}"),
                format!("line 2: uses `train_mlp`, which exercise b {tail}"),
                format!("line 4: uses `mlp_mse`, which exercise b {tail}"),
            ]
        );
    }

    /// A lesson's graded cells and solution cells.
    fn graded_and_solutions(path: &Path) -> (Vec<String>, Vec<String>) {
        let nb = notebook::load(path).unwrap();
        let flagged = |name| -> Vec<String> {
            nb.cells
                .iter()
                .filter(|c| nbgrader::flag(c, name))
                .filter_map(notebook::source)
                .collect()
        };
        (flagged("grade"), flagged("solution"))
    }

    fn protected_in(path: &Path) -> BTreeSet<String> {
        let (graded, solutions) = graded_and_solutions(path);
        let graded: Vec<&str> = graded.iter().map(String::as_str).collect();
        let solutions: Vec<&str> = solutions.iter().map(String::as_str).collect();
        protected_names(&graded, &solutions)
    }

    fn notebooks() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../notebooks")
    }

    #[test]
    fn the_first_lessons_checks_protect_check_and_check_that_but_not_the_answers() {
        let protected = protected_in(&notebooks().join("01-loss.ipynb"));
        assert!(
            protected.contains("check") && protected.contains("check_that"),
            "{protected:?}"
        );
        for answer in ["my_sse", "mse_a", "mse_b", "better"] {
            assert!(!protected.contains(answer), "{answer}: {protected:?}");
        }
    }

    #[test]
    fn every_lesson_solution_and_its_stub_pass_the_screen() {
        let lessons = crate::project::discover(&[notebooks()]).unwrap();
        let mut screened = 0;
        for path in &lessons {
            let protected = protected_in(path);
            for code in graded_and_solutions(path).1 {
                let (stub, _) = nbgrader::student_code(&code, "x").unwrap();
                for answer in [&code, &stub] {
                    let refused = screen(answer, &protected).refused;
                    assert_eq!(
                        refused,
                        Vec::<String>::new(),
                        "{}:\n{answer}",
                        path.display()
                    );
                }
                screened += 1;
            }
        }
        assert!(
            !lessons.is_empty() && screened >= lessons.len(),
            "{screened} answers"
        );
    }
}
