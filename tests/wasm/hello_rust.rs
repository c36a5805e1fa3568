// hello_rust.rs - WASI test in Rust: arguments, stdin line count, exit code.
use std::io::Read;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    println!("Hello from Rust on the Wasm Sandbox!");
    println!("args={}", args.len() - 1);
    for a in &args[1..] {
        println!("arg {}", a);
    }
    let mut input = String::new();
    std::io::stdin().read_to_string(&mut input).unwrap();
    let sum: u64 = input.split_whitespace().filter_map(|w| w.parse::<u64>().ok()).sum();
    println!("sum={}", sum);
    std::process::exit(if sum == 60 { 0 } else { 1 });
}
