console.log("djinn");
