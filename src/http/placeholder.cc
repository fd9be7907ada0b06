// keeps the library non-empty while parts are added
