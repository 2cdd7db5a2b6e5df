// The appointment book's time grid. Its settings come from the page as JSON (no inline
// script: the Content Security Policy forbids it); its data from one request per location
// and visible range. Every time is the location's wall clock ("2026-11-23T09:00"): the
// grid runs in UTC so that no browser zone shifts it, and drops go back the same way.
(function () {
  "use strict";

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function wallClock(date) {
    return date.getUTCFullYear() + "-" + pad(date.getUTCMonth() + 1) + "-" +
      pad(date.getUTCDate()) + "T" + pad(date.getUTCHours()) + ":" + pad(date.getUTCMinutes());
  }

  function dayOf(date) { return wallClock(date).slice(0, 10); }

  function csrfToken() {
    var field = document.querySelector("[data-book-actions] input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function say(text, kind) {
    var box = document.querySelector("[data-testid=book-message]");
    if (!box) { return; }
    box.textContent = text;
    box.className = "book-message alert alert-" + kind;
  }

  function lines(texts, className) {
    return {
      domNodes: texts.map(function (text, index) {
        var line = document.createElement(index === 0 ? "strong" : "span");
        line.className = index === 0 ? className : "d-block";
        line.textContent = text;
        return line;
      })
    };
  }

  // What each kind of entry says: a card its time, patient, type and status; a shade why
  // the time cannot be booked; a free start the time to book.
  function content(info) {
    var props = info.event.extendedProps;
    if (props.kind === "card") {
      var row = props.row;
      var drawn = lines([row[2].slice(11) + "\u2013" + row[3].slice(11), row[4],
        props.type + " \u00b7 " + props.status], "d-block small");
      props.badges.forEach(function (badge) {
        var span = document.createElement("span");
        span.className = "badge rounded-pill book-badge " + badge.look;
        span.dataset.testid = "card-badge";
        span.textContent = badge.words;
        drawn.domNodes.push(span);
      });
      return drawn;
    }
    if (props.kind === "shade") { return lines([info.event.title], "book-shade-label"); }
    return lines([info.event.title], "book-free-label");
  }

  function withId(template, id) { return template.replace("/0/", "/" + id + "/"); }

  document.addEventListener("DOMContentLoaded", function () {
    var element = document.getElementById("book-grid");
    var source = document.getElementById("book-config");
    if (!element || !source || typeof window.EventCalendar === "undefined") { return; }
    var config = JSON.parse(source.textContent);
    var latest = null;  // the last data the server sent, for the panel
    var drawn = { columns: "", grid: [null, null] };  // the columns and hours the grid has

    document.querySelectorAll("[data-submit-on-change]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });

    // A card's badges, each in words: the patient asked to cancel (row[9]), the
    // clearance word (row[10], empty where the user is not shown it), and for a
    // consultation whether its medical history came (row[11]).
    function cardBadges(row, data) {
      var keys = (row[9] ? ["cancel"] : []).concat(row[10] ? [row[10]] : [])
        .concat(row[11] ? [row[11]] : []);
      return keys.filter(function (key) { return data.badges[key]; }).map(function (key) {
        return { words: data.badges[key][0], look: data.badges[key][1] };
      });
    }

    function cardEvent(row, data) {
      var actions = row[8];
      var badges = cardBadges(row, data);
      var said = badges.map(function (badge) { return " · " + badge.words; }).join("");
      return {
        id: String(row[0]), resourceId: row[1], start: row[2], end: row[3],
        title: row[4] + " · " + (data.types[row[5]] || "") + " · " + data.statuses[row[6]] + said,
        editable: config.editable && actions.indexOf("m") >= 0,
        classNames: ["book-card", "status-border-" + row[6]],
        extendedProps: {
          kind: "card", row: row, type: data.types[row[5]] || "", status: data.statuses[row[6]],
          badges: badges
        }
      };
    }

    function shadeEvent(row, allColumns) {
      return {
        start: row[1], end: row[2], title: row[3], display: "background",
        resourceIds: row[0] === null ? allColumns : [row[0]],
        classNames: ["book-shade"], extendedProps: { kind: "shade" }
      };
    }

    // A free start: [column, wall clock, the room (or practitioner) free with it]. The
    // booking page's address is made here, with the same fields as the day list's links.
    function freeEvent(row, data) {
      var end = new Date(Date.parse(row[1] + ":00Z") + 15 * 60000);
      var byRoom = config.by === "room";
      var query = new URLSearchParams({
        appointment_type: data.freeType,
        practitioner: byRoom ? row[2] : row[0],
        room: byRoom ? row[0] : row[2],
        day: row[1].slice(0, 10),
        start_time: row[1].slice(11)
      });
      return {
        start: row[1], end: wallClock(end), resourceId: row[0], title: "Book " + row[1].slice(11),
        editable: false, classNames: ["book-free"],
        extendedProps: { kind: "free", query: query.toString() }
      };
    }

    // The grid keeps whatever its data function answers, even for a range it has left
    // since it asked. So each new range drops the request before it: an answer that came
    // late for yesterday must not replace today's cards.
    var asking = null;

    function fetchBook(info) {
      if (asking) { asking.abort(); }
      var mine = new AbortController();
      asking = mine;
      var params = new URLSearchParams({
        start: dayOf(info.start), end: dayOf(info.end), by: config.by,
        location: config.location || ""
      });
      if (config.type) { params.set("type", config.type); }
      if (config.only) { params.set("only", config.only); }
      return fetch(config.dataUrl + "?" + params.toString(), {
        credentials: "same-origin", signal: mine.signal
      })
        .then(function (response) {
          return response.json().then(function (data) {
            if (!response.ok) { throw new Error(data.error || "The book could not be loaded."); }
            return data;
          });
        })
        .then(function (data) {
          if (mine !== asking) { throw new Error("A newer range was asked for."); }
          latest = data;
          fillFilter(data.everyColumn);
          var columns = data.columns.map(function (c) { return c[0]; });
          // The columns and the grid's hours are set only when they change: setting them
          // redraws every column, and most days and weeks share them.
          var columnsSaid = JSON.stringify(data.columns);
          if (columnsSaid !== drawn.columns) {
            drawn.columns = columnsSaid;
            calendar.setOption("resources", data.columns.map(function (c) {
              return { id: c[0], title: c[1] };
            }));
          }
          if (data.grid[0] !== drawn.grid[0] || data.grid[1] !== drawn.grid[1]) {
            drawn.grid = data.grid;
            calendar.setOption("slotMinTime", data.grid[0]);
            calendar.setOption("slotMaxTime", data.grid[1]);
          }
          return data.appointments.map(function (row) { return cardEvent(row, data); })
            .concat(data.shades.map(function (row) { return shadeEvent(row, columns); }))
            .concat(data.free.map(function (row) { return freeEvent(row, data); }));
        })
        .catch(function (error) {
          // Dropped for a newer range: failing leaves the grid's events to that one.
          if (mine !== asking) { throw error; }
          say(error.message, "danger");
          return [];
        });
    }

    // The column filter lists every practitioner (or room) the data names; the choice is
    // sent with the page's form and remembered with the user's other choices.
    function fillFilter(columns) {
      var select = document.getElementById("book-only");
      if (!select || select.dataset.filled) { return; }
      select.dataset.filled = "yes";
      while (select.options.length > 1) { select.remove(1); }
      columns.forEach(function (column) {
        var option = new Option(column[1], column[0]);
        option.selected = String(column[0]) === String(config.only);
        select.add(option);
      });
    }

    function showPanel(row) {
      var panel = document.querySelector("[data-testid=book-panel]");
      if (!panel || !latest) { return; }
      panel.querySelector("[data-field=patient]").textContent = row[4];
      panel.querySelector("[data-field=when]").textContent =
        row[2].slice(0, 10) + ", " + row[2].slice(11) + "–" + row[3].slice(11);
      panel.querySelector("[data-field=what]").textContent =
        (latest.types[row[5]] || "") + " · " + row[7];
      var status = panel.querySelector("[data-field=status]");
      status.textContent = latest.statuses[row[6]];
      status.className = "badge status-" + row[6];
      var link = panel.querySelector("[data-field=link]");
      link.href = withId(config.appointmentUrl, row[0]);
      link.classList.toggle("d-none", !config.canOpen);
      var form = panel.querySelector("[data-book-actions]");
      if (form) {
        var letters = { "confirm": "c", "check-in": "i", "no-show": "n", "undo-check-in": "u" };
        form.querySelectorAll("[data-action]").forEach(function (button) {
          var allowed = row[8].indexOf(letters[button.dataset.action]) >= 0;
          button.classList.toggle("d-none", !allowed);
          button.setAttribute("formaction", withId(config.actionUrl, row[0])
            .replace("/confirm/", "/" + button.dataset.action + "/"));
        });
      }
      panel.classList.remove("d-none");
    }

    var closer = document.querySelector("[data-close-panel]");
    if (closer) {
      closer.addEventListener("click", function () {
        document.querySelector("[data-testid=book-panel]").classList.add("d-none");
      });
    }

    function drop(info) {
      var column = info.newResource ? info.newResource.id : info.event.resourceIds[0];
      var body = new URLSearchParams({
        start: wallClock(info.event.start), by: config.by, column: column
      });
      fetch(withId(config.dropUrl, info.event.id), {
        method: "POST", credentials: "same-origin", body: body,
        headers: { "X-CSRFToken": csrfToken() }
      }).then(function (response) {
        return response.json().then(function (data) {
          if (!response.ok) {
            info.revert();
            say(data.error || "The appointment could not be moved.", "warning");
            return;
          }
          say(data.message, "success");
          calendar.refetchEvents();
        });
      }).catch(function () {
        info.revert();
        say("The appointment could not be moved. Try again.", "warning");
      });
    }

    var calendar = EventCalendar.create(element, {
      view: config.view === "week" ? "resourceTimeGridWeek" : "resourceTimeGridDay",
      date: config.date,
      timeZone: "UTC",
      firstDay: 1,
      locale: "en-GB",
      slotDuration: "00:15",
      snapDuration: "00:15",
      slotLabelInterval: "01:00",
      slotEventOverlap: false,
      allDaySlot: false,
      nowIndicator: false,
      editable: config.editable,
      eventDurationEditable: false,
      datesAboveResources: config.view === "week",
      // "Today" is the location's day, as the server tells it, not the browser's.
      headerToolbar: { start: "prev,locationToday,next", center: "title", end: "" },
      customButtons: {
        locationToday: {
          text: "today",
          click: function () { calendar.setOption("date", config.today); }
        }
      },
      eventTimeFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
      slotLabelFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
      resources: [],
      eventSources: [{ events: fetchBook }],
      eventContent: content,
      // A card's label says all it shows, the badges' words included.
      eventDidMount: function (info) {
        if (info.event.extendedProps.kind === "card") {
          info.el.setAttribute("aria-label", info.event.title);
        }
      },
      eventClick: function (info) {
        var props = info.event.extendedProps;
        if (props.kind === "card") { showPanel(props.row); }
        if (props.kind === "free") { window.location.href = config.bookingUrl + "?" + props.query; }
      },
      eventDrop: drop,
      datesSet: function (info) {
        var day = dayOf(info.start);
        var url = new URL(window.location.href);
        url.searchParams.set("date", day);
        window.history.replaceState(null, "", url.toString());
      }
    });
  });
})();
