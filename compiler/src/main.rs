//! The `djinn` command line.

fn main() {
    println!("djinn");
}
