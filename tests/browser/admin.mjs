// The admin in a real browser: headless Chromium (Debian's /usr/bin/chromium)
// driven by playwright-core, against the blog sample served on a fresh
// SQLite database with its demo data.
//
// Usage (from anywhere):
//   node tests/browser/admin.mjs [--out DIR] [--update-docs]
//
// BLOG_BIN names a built blog binary; without it the script builds one with
// `cargo run -p djinn -- build samples/blog`. Chromium (apt-get) and
// playwright-core (npm, into tests/browser/node_modules, not saved) are
// installed when missing. Screenshots of every step go to DIR (default
// target/admin-browser); --update-docs also copies the change list's to
// docs/images/admin-changelist.png.
//
// Exit codes: 0 passed, 1 failed, 3 the browser could not be installed.

import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const workspace = resolve(here, "..", "..");
const blogDir = join(workspace, "samples", "blog");
const args = process.argv.slice(2);
const outDir = resolve(args.includes("--out") ? args[args.indexOf("--out") + 1] : join(workspace, "target", "admin-browser"));
const updateDocs = args.includes("--update-docs");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const USER = "editor";
const PASSWORD = "a long editor passphrase";

function log(message) {
  console.log(`admin-browser: ${message}`);
}

function fail(message, code = 1) {
  console.error(`admin-browser: FAILED: ${message}`);
  process.exit(code);
}

function check(condition, message) {
  if (!condition) {
    throw new Error(message);
  }
}

/** Chromium and playwright-core, installed when missing. */
async function browserTools() {
  if (!existsSync(CHROMIUM)) {
    log(`${CHROMIUM} is missing: apt-get install -y chromium`);
    let install = spawnSync("apt-get", ["install", "-y", "chromium"], { stdio: "inherit" });
    if (install.status !== 0) {
      spawnSync("apt-get", ["update"], { stdio: "inherit" });
      install = spawnSync("apt-get", ["install", "-y", "chromium"], { stdio: "inherit" });
    }
    if (install.status !== 0 || !existsSync(CHROMIUM)) {
      fail("Chromium could not be installed (apt-get install -y chromium)", 3);
    }
  }
  if (!existsSync(join(here, "node_modules", "playwright-core"))) {
    log("installing playwright-core (npm install --no-save)");
    const install = spawnSync("npm", ["install", "--no-save", "--no-audit", "--no-fund", "playwright-core"], {
      cwd: here,
      stdio: "inherit",
    });
    if (install.status !== 0) {
      fail("playwright-core could not be installed (npm install --no-save playwright-core)", 3);
    }
  }
  const { chromium } = await import(join(here, "node_modules", "playwright-core", "index.mjs"));
  return chromium;
}

/** The blog's binary: BLOG_BIN, or built now. */
function blogBinary() {
  if (process.env.BLOG_BIN) {
    return process.env.BLOG_BIN;
  }
  log("building the blog (cargo run -p djinn -- build samples/blog)");
  const build = spawnSync("cargo", ["run", "-q", "-p", "djinn", "--", "build", blogDir], {
    cwd: workspace,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  if (build.status !== 0) {
    fail("the blog does not build");
  }
  const lines = build.stdout.trim().split("\n");
  return lines[lines.length - 1].trim();
}

/** Runs a command of the blog's binary that must succeed. */
function manage(binary, env, ...command) {
  const run = spawnSync(binary, command, { cwd: blogDir, env, encoding: "utf8" });
  if (run.status !== 0) {
    fail(`blog ${command.join(" ")}: ${run.stderr}`);
  }
}

/** A fresh database with the demo data and a superuser, and a server on it. */
async function serveBlog(binary) {
  const dataDir = mkdtempSync(join(tmpdir(), "djinn-admin-browser-"));
  const env = {
    ...process.env,
    DATABASE_URL: `sqlite://${join(dataDir, "db.sqlite3")}`,
    DJINN_DEBUG: "1",
    DJINN_SUPERUSER_USERNAME: USER,
    DJINN_SUPERUSER_EMAIL: "editor@example.com",
    DJINN_SUPERUSER_PASSWORD: PASSWORD,
  };
  delete env.DJINN_BIND;
  delete env.RUST_LOG;
  manage(binary, env, "migrate");
  manage(binary, env, "loaddata", "fixtures/demo.json");
  manage(binary, env, "createsuperuser", "--no-input");
  const server = spawn(binary, ["serve", "--bind", "127.0.0.1:0"], {
    cwd: blogDir,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  // The server's log, shown if the run fails.
  server.log = [];
  createInterface({ input: server.stderr }).on("line", (line) => {
    server.log.push(line);
    if (server.log.length > 200) {
      server.log.shift();
    }
  });
  const lines = createInterface({ input: server.stdout });
  const first = await new Promise((resolve, reject) => {
    lines.once("line", resolve);
    server.once("exit", (code) => reject(new Error(`the server exited (${code})`)));
  });
  const match = /listening on (http:\/\/\S+)/.exec(first);
  if (!match) {
    server.kill();
    fail(`unexpected first line from the server: ${first}`);
  }
  return { server, base: match[1], dataDir };
}

async function shot(page, name) {
  const path = join(outDir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  log(`screenshot ${path}`);
  return path;
}

/** The texts of the change list's first column. */
async function titles(page) {
  return page.locator("#result_list tbody th").allInnerTexts();
}

async function message(page) {
  return (await page.locator(".messagelist").innerText()).trim();
}

async function flow(page, base) {
  // Anonymous: the login page, then back to the admin.
  await page.goto(`${base}/admin/`);
  check(page.url().startsWith(`${base}/admin/login/?next=/admin/`), `login redirect, at ${page.url()}`);
  await page.getByLabel("Username").fill(USER);
  await page.getByLabel("Password").fill(PASSWORD);
  await Promise.all([page.waitForURL(`${base}/admin/`), page.getByRole("button", { name: /log in/i }).click()]);
  check((await page.locator("h1").innerText()) === "Site administration", "the index");
  for (const name of ["Blog posts", "Authors", "Tags", "Comments"]) {
    check((await page.getByRole("link", { name, exact: true }).count()) === 1, `${name} on the index`);
  }
  await shot(page, "01-index");

  // The change list.
  await page.getByRole("link", { name: "Blog posts", exact: true }).click();
  check((await page.locator("h1").innerText()) === "Select blog post to change", "the change list");
  check((await titles(page)).length === 20, "the 20 demo posts");
  await shot(page, "02-changelist");
  if (updateDocs) {
    // The first screen only, for the docs.
    const target = join(workspace, "docs", "images", "admin-changelist.png");
    await page.screenshot({ path: target });
    log(`updated ${target}`);
  }

  // Add a post with tags.
  await page.getByRole("link", { name: "Add blog post" }).click();
  await page.getByLabel("Title:").fill("Written in a browser");
  await page.getByLabel("Slug:").fill("written-in-a-browser");
  await page.getByLabel("Content:").fill("Headless Chromium typed this.");
  await page.getByLabel("Author:").selectOption({ label: "Mei Chen" });
  await page.getByLabel("Tags:").selectOption([{ label: "Rust" }, { label: "Databases" }]);
  await page.getByLabel("Status:").selectOption("draft");
  await shot(page, "03-add");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  check(
    (await message(page)) === "The blog post “Written in a browser” was added successfully.",
    `the added message: ${await message(page)}`,
  );
  check((await titles(page)).length === 21, "21 posts");

  // Find it: search, then a filter.
  await page.locator("#searchbar").fill("browser");
  await Promise.all([page.waitForURL(/q=browser/), page.locator("#searchbar").press("Enter")]);
  check(JSON.stringify(await titles(page)) === JSON.stringify(["Written in a browser"]), "found by search");
  await page.locator("#changelist-filter").getByRole("link", { name: "Databases" }).click();
  check(page.url().includes("tags__id__exact=") && page.url().includes("q=browser"), `filter and search: ${page.url()}`);
  check((await titles(page)).length === 1, "still found with its tag");
  await page.locator("#changelist-filter").getByRole("link", { name: "Published", exact: true }).click();
  check((await titles(page)).length === 0, "a draft is not published");
  await page.locator("#changelist-filter").getByRole("link", { name: "Draft", exact: true }).click();
  check((await titles(page)).length === 1, "a draft");
  await shot(page, "04-search-and-filters");
  // Sorting by title, descending.
  await page.goto(`${base}/admin/blog/post/`);
  await page.locator("#result_list thead").getByRole("link", { name: "Title" }).click();
  await page.locator("#result_list thead").getByRole("link", { name: "Title" }).click();
  check((await titles(page))[0] === "Written in a browser", `sorted descending: ${(await titles(page))[0]}`);

  // Edit it.
  await page.getByRole("link", { name: "Written in a browser" }).click();
  check((await page.locator("h1").innerText()) === "Change blog post", "the change page");
  await page.getByLabel("Title:").fill("Written in a browser, edited");
  await page.getByLabel("Tags:").selectOption([{ label: "Django" }]);
  await page.getByRole("button", { name: "Save and continue editing" }).click();
  check(
    (await message(page)).startsWith("The blog post “Written in a browser, edited” was changed successfully."),
    `the changed message: ${await message(page)}`,
  );
  const chosen = await page.getByLabel("Tags:").evaluate((select) =>
    Array.from(select.selectedOptions).map((option) => option.textContent),
  );
  check(JSON.stringify(chosen) === JSON.stringify(["Django"]), `tags after the edit: ${chosen}`);
  await shot(page, "05-change");

  // Delete it through its delete page.
  await page.getByRole("link", { name: "Delete" }).click();
  check((await page.locator("h1").innerText()) === "Are you sure?", "the delete confirmation");
  await shot(page, "06-delete");
  await page.getByRole("button", { name: "Yes, I’m sure" }).click();
  check(
    (await message(page)) === "The blog post “Written in a browser, edited” was deleted successfully.",
    `the deleted message: ${await message(page)}`,
  );
  check((await titles(page)).length === 20, "20 posts again");

  // Delete a demo post through the action.
  await page.locator("input.action-select").first().check();
  await page.locator("select[name=action]").selectOption("delete_selected");
  await page.getByRole("button", { name: "Go" }).click();
  check((await page.locator("h1").innerText()) === "Are you sure?", "the action's confirmation");
  await page.getByRole("button", { name: "Yes, I’m sure" }).click();
  check((await message(page)) === "Successfully deleted 1 blog post.", `the action's message: ${await message(page)}`);
  check((await titles(page)).length === 19, "19 posts");
  await shot(page, "07-after-delete");
}

async function main() {
  const chromium = await browserTools();
  mkdirSync(outDir, { recursive: true });
  const binary = blogBinary();
  const { server, base, dataDir } = await serveBlog(binary);
  log(`serving ${base}`);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-dev-shm-usage"],
  });
  let failure = null;
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (error) => errors.push(error.message));
    try {
      await flow(page, base);
    } catch (error) {
      await shot(page, "failure").catch(() => {});
      throw error;
    }
    check(errors.length === 0, `page errors: ${errors.join("; ")}`);
  } catch (error) {
    failure = error;
  } finally {
    await browser.close();
    server.kill();
    rmSync(dataDir, { recursive: true, force: true });
  }
  if (failure) {
    console.error(server.log.join("\n"));
    fail(failure.stack || String(failure));
  }
  log("passed");
}

main().catch((error) => fail(error.stack || String(error)));
