// Starts GraphiQL with the explorer plugin against this server's /graphql (HTTP and WebSocket).
// Adapted from strawberry's graphiql.html; no CSRF cookie here: the API takes bearer tokens.
(function () {
  "use strict";

  var EXAMPLE_QUERY =
    "# 介休文旅云 GraphQL API\n" +
    "# Ctrl-Enter 运行查询；需要身份的字段请在 Headers 中填写\n" +
    '# {"Authorization": "Bearer <accessToken>"}\n' +
    "\n" +
    "{\n  regions { name kind venueCount eventCount }\n}\n";

  var parameters = {};
  window.location.search
    .slice(1)
    .split("&")
    .forEach(function (entry) {
      var eq = entry.indexOf("=");
      if (eq >= 0) {
        parameters[decodeURIComponent(entry.slice(0, eq))] = decodeURIComponent(
          entry.slice(eq + 1),
        );
      }
    });

  function updateURL(data) {
    Object.assign(parameters, data);
    var search = Object.keys(parameters)
      .filter(function (key) {
        return Boolean(parameters[key]);
      })
      .map(function (key) {
        return encodeURIComponent(key) + "=" + encodeURIComponent(parameters[key]);
      })
      .join("&");
    history.replaceState(null, null, "?" + search);
  }

  var fetchURL = window.location.href.split("?")[0];
  var subscriptionURL = new URL(fetchURL);
  subscriptionURL.protocol = subscriptionURL.protocol === "http:" ? "ws:" : "wss:";
  subscriptionURL.hash = "";

  var fetcher = GraphiQL.createFetcher({
    url: fetchURL,
    subscriptionUrl: subscriptionURL.toString(),
  });

  function GraphiQLWithExplorer() {
    var queryState = React.useState(parameters.q || EXAMPLE_QUERY);
    var variablesState = React.useState(parameters.variables);
    var headersState = React.useState(parameters.headers);
    var explorer = React.useMemo(function () {
      return GraphiQLPluginExplorer.explorerPlugin();
    }, []);

    return React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultEditorToolsVisibility: true,
      plugins: [explorer],
      query: queryState[0],
      variables: variablesState[0],
      headers: headersState[0],
      onEditQuery: function (query) {
        queryState[1](query);
        updateURL({ q: query });
      },
      onEditVariables: function (variables) {
        variablesState[1](variables);
        updateURL({ variables: variables });
      },
      onEditHeaders: function (headers) {
        headersState[1](headers);
      },
      inputValueDeprecation: true,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: true,
    });
  }

  ReactDOM.createRoot(document.getElementById("graphiql")).render(
    React.createElement(GraphiQLWithExplorer),
  );
})();
