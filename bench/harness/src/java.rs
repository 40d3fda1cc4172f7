//! Compiling a Sem program with javac (Sem is a subset of Java 17).

use crate::error::{Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The public class of a Sem source (`public class Name`), else the file stem.
pub fn class_name(source: &str, path: &Path) -> String {
    source
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("public class "))
        .filter_map(|rest| {
            rest.split(|c: char| !c.is_alphanumeric() && c != '_')
                .next()
        })
        .find(|n| !n.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| {
            path.file_stem()
                .map_or("Main".into(), |s| s.to_string_lossy().into_owned())
        })
}

/// Copies `sem` to `dir/<Class>.java` and compiles it there; returns (dir, class).
pub fn compile(sem: &Path, dir: &Path) -> Result<(PathBuf, String)> {
    let source = std::fs::read_to_string(sem).ctx(|| format!("cannot read {}", sem.display()))?;
    let class = class_name(&source, sem);
    std::fs::create_dir_all(dir).ctx(|| format!("cannot create {}", dir.display()))?;
    let java = dir.join(format!("{class}.java"));
    std::fs::write(&java, source).ctx(|| format!("cannot write {}", java.display()))?;
    let out = Command::new("javac")
        .arg("-d")
        .arg(dir)
        .arg(&java)
        .output()
        .ctx(|| "cannot run javac".to_string())?;
    if !out.status.success() {
        return Err(crate::fail!(
            "javac {} failed: {}",
            java.display(),
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .next()
                .unwrap_or("")
        ));
    }
    Ok((dir.to_path_buf(), class))
}

/// Whether `java` and `javac` can be started.
pub fn available() -> bool {
    crate::process::output_of("java", &["-version"]).is_some()
        && crate::process::output_of("javac", &["-version"]).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_public_class() {
        let p = Path::new("x/GraphChurn.sem");
        assert_eq!(
            class_name("// c\npublic class GraphChurn {\n}\nclass Edge {}", p),
            "GraphChurn"
        );
        assert_eq!(class_name("public class Main{", p), "Main");
        assert_eq!(class_name("class Foo {}", p), "GraphChurn");
    }
}
