//! Fuzzing the spec loader and the generator: the real spec, one file mutated at a time
//! (lines deleted, duplicated, swapped, re-indented; words replaced by other words of the spec;
//! YAML punctuation, tags, anchors and stray bytes inserted; files cut short), through load,
//! lower and (when the mutant still validates) emit and format.
//!
//! What must hold: nothing panics, and every diagnostic has a file:line:column (except the two
//! about the spec as a whole), and a spec that validates renders.
//!
//! Runs for `CALCOM_FUZZ_SECONDS` seconds (default 3: the short run of the test suite; run it
//! for 600 or more to fuzz for real), from `CALCOM_FUZZ_SEED` (default: the clock; the seed is
//! printed, and a failure names the seed and the iteration that reproduce it).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// A small deterministic generator (xorshift64*), so a seed reproduces a run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn budget() -> (Duration, u64) {
    let seconds = std::env::var("CALCOM_FUZZ_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(3);
    let seed = std::env::var("CALCOM_FUZZ_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(1, |d| d.as_nanos() as u64) | 1
    });
    (Duration::from_secs(seconds), seed)
}

fn spec_sources() -> Vec<(PathBuf, String)> {
    let spec = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../spec");
    let mut diags = codegen::diag::Diagnostics::default();
    let sources = codegen::load::read_dir(&spec, &mut diags);
    assert!(diags.is_empty(), "the real spec reads");
    sources
}

/// Words of the spec (keys, type names, values), to swap in where another word was.
fn vocabulary(sources: &[(PathBuf, String)]) -> Vec<String> {
    let mut words: Vec<String> = sources
        .iter()
        .flat_map(|(_, text)| {
            text.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-' || c == '<' || c == '>'))
        })
        .filter(|w| !w.is_empty() && w.len() < 40)
        .map(str::to_owned)
        .collect();
    words.sort();
    words.dedup();
    words
}

const INSERTS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ":",
    ": ",
    "- ",
    "\"",
    "'",
    "#",
    ",",
    "&a ",
    "*a",
    "!!str ",
    "!!map ",
    "? ",
    "|\n",
    ">-\n",
    "\t",
    "\u{0}",
    "\u{feff}",
    "é",
    "🦀",
    "\n",
    "  ",
    "~",
    "null",
    "true",
    "1e999",
    "-1",
    "list<",
    "map<>",
    "<<: *a\n",
    "${x}",
    "\\",
    "%YAML 1.2\n---\n",
];

fn mutate(text: &str, rng: &mut Rng, words: &[String]) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    for _ in 0..1 + rng.below(3) {
        if lines.is_empty() {
            lines.push(String::new());
        }
        let i = rng.below(lines.len());
        match rng.below(9) {
            0 => {
                lines.remove(i);
            }
            1 => {
                let line = lines[i].clone();
                lines.insert(i, line);
            }
            2 => {
                let j = rng.below(lines.len());
                lines.swap(i, j);
            }
            3 => lines[i] = format!("  {}", lines[i]),
            4 => lines[i] = lines[i].trim_start_matches(' ').get(rng.below(3)..).unwrap_or_default().to_owned(),
            5 | 6 => {
                // Replace one word of the line with a word of the spec (or a near miss of it).
                let line = &lines[i];
                let spans: Vec<(usize, usize)> = line
                    .char_indices()
                    .filter(|(_, c)| c.is_alphanumeric())
                    .map(|(b, _)| b)
                    .fold(Vec::new(), |mut acc: Vec<(usize, usize)>, b| {
                        match acc.last_mut() {
                            Some(last) if last.1 == b => {
                                last.1 = b + line[b..].chars().next().map_or(1, char::len_utf8)
                            }
                            _ => acc.push((b, b + line[b..].chars().next().map_or(1, char::len_utf8))),
                        }
                        acc
                    });
                if let Some(&(from, to)) = spans.get(rng.below(spans.len().max(1))) {
                    let mut word = words[rng.below(words.len())].clone();
                    if rng.below(3) == 0 && word.len() > 1 {
                        word.pop();
                    }
                    lines[i] = format!("{}{}{}", &line[..from], word, &line[to..]);
                }
            }
            7 => {
                let line = &lines[i];
                let cut =
                    (0..=line.len()).filter(|b| line.is_char_boundary(*b)).nth(rng.below(line.len() + 1)).unwrap_or(0);
                lines[i] = format!("{}{}{}", &line[..cut], INSERTS[rng.below(INSERTS.len())], &line[cut..]);
            }
            _ => lines.truncate(i),
        }
    }
    lines.join("\n")
}

/// The diagnostics that may have no position: problems of the spec as a whole.
fn may_be_unlocated(message: &str) -> bool {
    message.contains("no file has an `api:` section") || message.contains("has no *.yaml files")
}

#[test]
fn mutated_specs_never_panic_and_every_error_is_located() {
    let (budget, seed) = budget();
    eprintln!("fuzz_spec: seed {seed}, {} s (CALCOM_FUZZ_SEED, CALCOM_FUZZ_SECONDS)", budget.as_secs());
    let sources = spec_sources();
    let words = vocabulary(&sources);
    let mut rng = Rng(seed);
    let started = Instant::now();
    let (mut runs, mut rejected, mut rendered) = (0u64, 0u64, 0u64);
    // Quiet panics: a panic is a finding, reported below with how to reproduce it.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let mut finding = None;
    while started.elapsed() < budget {
        runs += 1;
        let mut mutant = sources.clone();
        let victim = rng.below(mutant.len());
        mutant[victim].1 = mutate(&mutant[victim].1, &mut rng, &words);
        let result = catch_unwind(AssertUnwindSafe(|| match codegen::load_model_from(&mutant) {
            Err(diags) => {
                let unlocated: Vec<String> = diags
                    .sorted()
                    .into_iter()
                    .filter(|d| d.pos.is_none() && !may_be_unlocated(&d.message))
                    .map(|d| d.to_string())
                    .collect();
                Err(if unlocated.is_empty() { None } else { Some(format!("unlocated: {unlocated:?}")) })
            }
            Ok(_) => codegen::generate_from(&mutant).map(|_| ()).map_err(|e| Some(format!("does not render: {e}"))),
        }));
        match result {
            Ok(Ok(())) => rendered += 1,
            Ok(Err(None)) => rejected += 1,
            Ok(Err(Some(problem))) => finding = Some((problem, victim, mutant)),
            Err(panic) => {
                let what = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                    .unwrap_or_default();
                finding = Some((format!("panic: {what}"), victim, mutant));
            }
        }
        if finding.is_some() {
            break;
        }
    }
    std::panic::set_hook(hook);
    eprintln!(
        "fuzz_spec: {runs} mutants in {:.1} s: {rejected} rejected with located errors, {rendered} rendered",
        started.elapsed().as_secs_f64()
    );
    if let Some((problem, victim, mutant)) = finding {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/fuzz-findings");
        let _ = std::fs::create_dir_all(&dir);
        let file = dir.join(format!("spec-{seed}-{runs}.yaml"));
        let _ = std::fs::write(&file, &mutant[victim].1);
        panic!(
            "mutant {runs} of seed {seed} ({}): {problem}\nthe mutated file is in {}",
            mutant[victim].0.display(),
            file.display()
        );
    }
    assert!(runs > 0);
}
