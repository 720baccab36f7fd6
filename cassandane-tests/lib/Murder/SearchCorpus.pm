# SPDX-License-Identifier: BSD-3-Clause
# Murder::SearchCorpus - the six messages the SEARCH, ESEARCH, SORT and
# THREAD tests run against, appended with fixed flags and internal dates
# (noon UTC, so the day is the same in any server time zone within 11 h).
#
#   my ($n, $c) = Murder::SearchCorpus::setup();   # INBOX selected
#   my @ids = Murder::SearchCorpus::search($c, 'SEARCH FROM bob');
#
# Message 3 is ISO-8859-1 quoted-printable with an RFC 2047 UTF-8 subject;
# message 2 has its text base64-encoded; message 4 is larger than 1000
# bytes and has no Message-ID; 5 and 6 refer to a message not present.
package Murder::SearchCorpus;
use strict;
use warnings;
use Carp qw(croak);
use Murder::MsgIMAP;

our @MESSAGES = (
    { flags => '\Seen', date => '07-Feb-1994 12:00:00 +0000', text => <<'M' },
From: Alice <alice@example.com>
To: bob@example.com
Cc: carol@example.org
Subject: Hello world
Date: Mon, 7 Feb 1994 21:52:25 -0800
Message-ID: <1@x>

Hello Bob, the quick brown fox.
M
    { flags => '\Answered \Flagged', date => '08-Feb-1994 12:00:00 +0000', text => <<'M' },
From: bob@example.com
To: alice@example.com
Subject: Re: Hello world
Date: Tue, 8 Feb 1994 10:00:00 +0000
Message-ID: <2@x>
In-Reply-To: <1@x>
References: <1@x>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="XX"

--XX
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: base64

VGhlIHNlY3JldCBsZW1vbiBpcyBoZXJlLg==
--XX
Content-Type: application/octet-stream
Content-Transfer-Encoding: base64

AAECAwQF
--XX--
M
    { flags => '$Work', date => '10-Feb-1994 12:00:00 +0000', text => <<'M' },
From: =?ISO-8859-1?Q?Andr=E9?= <andre@example.fr>
To: alice@example.com
Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln?=
Date: Thu, 10 Feb 1994 09:00:00 +0100
Message-ID: <3@x>
References: <1@x> <2@x>
MIME-Version: 1.0
Content-Type: text/plain; charset=iso-8859-1
Content-Transfer-Encoding: quoted-printable

Un caf=E9 cr=E8me, s'il vous pla=EEt.
M
    { flags => '\Deleted', date => '12-Feb-1994 12:00:00 +0000',
      text => "From: dave\@example.net\nTo: bob\@example.com\nSubject: Fwd: lunch\n"
            . "Date: Sat, 12 Feb 1994 12:00:00 +0000\nX-Priority: 1\n\n"
            . ("filler line of the big message\n" x 40) },
    { flags => '\Draft', date => '13-Feb-1994 12:00:00 +0000', text => <<'M' },
From: "Zed" <zed@example.com>
To: alice@example.com
Subject: lunch
Date: Fri, 11 Feb 1994 12:00:00 +0000
Message-ID: <5@x>
References: <missing@x>

Lunch at noon?
M
    { flags => '', date => '14-Feb-1994 12:00:00 +0000', text => <<'M' },
From: carol@example.org
To: alice@example.com
Subject: [list] Re: lunch
Date: Wed, 9 Feb 1994 12:00:00 +0000
Message-ID: <6@x>
References: <missing@x>

Yes, lunch.
M
);

# text - message $i (1-based) with CRLF line ends
sub text { return Murder::MsgIMAP::msg($MESSAGES[$_[0] - 1]{text}); }

# setup - a node, alice's INBOX holding the corpus, a client selecting it
sub setup {
    my $n = Murder::MsgIMAP::node(users => ['alice']);
    my $c = Murder::MsgIMAP::client($n, 'alice', 'INBOX');
    for my $i (1 .. @MESSAGES) {
        my $m = $MESSAGES[$i - 1];
        my $msg = text($i);
        my $tag = $c->next_tag;
        $c->send("$tag APPEND INBOX ($m->{flags}) \"$m->{date}\" {"
                 . length($msg) . "+}\r\n$msg\r\n");
        my $ok = $c->until_tag($tag, 30);
        croak "APPEND $i: " . ($ok // 'EOF') unless ($ok // '') =~ /^\S+ OK/;
    }
    Murder::MsgIMAP::cmd($c, 'NOOP');
    return ($n, $c);
}

# search - run a SEARCH-like command; (tagged reply, numbers of the first
# "* SEARCH"/"* SORT" response)
sub search {
    my ($c, $cmd) = @_;
    my ($ok, @u) = Murder::MsgIMAP::cmd($c, $cmd);
    my ($line) = grep { /^\* (SEARCH|SORT)\b/ } @u;
    my @n = defined $line ? ($line =~ /\b(\d+)\b/g) : ();
    return ($ok // '', join(' ', @n));
}

1;
