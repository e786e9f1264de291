module.exports = require("./jest-global").setupWithPki;
