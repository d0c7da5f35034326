// Observable Framework configuration for the Arbitrage Lab research site.
// Pages live in docs-site/ and import the analytics library through the docs-site/lib symlink
// (-> src/lib), so the browser recomputes with exactly the code the tests check.
// Packages are imported by bare name from node_modules: the build runs offline.
export default {
  root: "docs-site",
  output: "docs-site/dist",
  title: "Arbitrage Lab",
  pages: [{ name: "Pair explorer", path: "/" }],
  search: false,
  footer: "Arbitrage Lab research site",
};
