#!/usr/bin/perl
# searchres.t - SEARCHRES (RFC 5182): SEARCH RETURN (SAVE) keeps the result
# as "$" (no ESEARCH when SAVE is alone), usable as the set of FETCH,
# STORE, COPY, MOVE, SEARCH and their UID forms; SAVE with MIN/MAX keeps
# only those messages unless ALL or COUNT is asked too; a failed SEARCH
# that asked to SAVE empties "$"; SELECT, UNSELECT and CLOSE reset it;
# expunged messages drop out of it.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::MsgIMAP;

skip_unless_built(qw(master imapd));

my $n = Murder::MsgIMAP::node(users => ['alice']);
my $S = $Murder::MsgIMAP::SEP;
my $c = Murder::MsgIMAP::client($n, 'alice');
Murder::MsgIMAP::append($c, 'INBOX', Murder::MsgIMAP::msg("Subject: m$_\n\nbody $_\n"))
    for 1 .. 6;
$c->cmd("CREATE INBOX${S}dst");
my ($ok, @u) = Murder::MsgIMAP::cmd($c, 'CAPABILITY');
like($u[0] // '', qr/ SEARCHRES\b/, 'SEARCHRES advertised');
Murder::MsgIMAP::cmd($c, 'SELECT INBOX');

# fetched - the message numbers "FETCH $cmd" answers
sub fetched {
    my ($cmd) = @_;
    my ($ok, @u) = Murder::MsgIMAP::cmd($c, $cmd);
    return (($ok // '') =~ /^\S+ OK/ ? 'OK' : ($ok // 'EOF')) . ':'
        . join(',', map { /^\* (\d+) FETCH/ ? $1 : () } @u);
}

($ok, @u) = Murder::MsgIMAP::cmd($c, 'SEARCH RETURN (SAVE) OR SUBJECT m2 OR SUBJECT m3 SUBJECT m5');
like($ok, qr/^\S+ OK/, 'SEARCH RETURN (SAVE): OK');
is_deeply(\@u, [], 'SAVE alone: no ESEARCH');
is(fetched('FETCH $ (UID)'), 'OK:2,3,5', 'FETCH $');
is(fetched('UID FETCH $ (FLAGS)'), 'OK:2,3,5', 'UID FETCH $');
($ok, @u) = Murder::MsgIMAP::cmd($c, 'SEARCH $');
is_deeply([grep { /SEARCH/ } @u], ['* SEARCH 2 3 5'], 'SEARCH $ (key)');
($ok, @u) = Murder::MsgIMAP::cmd($c, 'UID SEARCH NOT UID $');
is_deeply([grep { /SEARCH/ } @u], ['* SEARCH 1 4 6'], 'UID SEARCH NOT UID $');
($ok, @u) = Murder::MsgIMAP::cmd($c, 'STORE $ +FLAGS (\Flagged)');
like($ok, qr/^\S+ OK/, 'STORE $');
($ok, @u) = Murder::MsgIMAP::cmd($c, 'SEARCH FLAGGED');
is_deeply([grep { /SEARCH/ } @u], ['* SEARCH 2 3 5'], 'STORE $ hit the saved messages');
like(scalar Murder::MsgIMAP::cmd($c, "COPY \$ INBOX${S}dst"), qr/^\S+ OK/, 'COPY $');
($ok, @u) = Murder::MsgIMAP::cmd($c, "STATUS INBOX${S}dst (MESSAGES)");
like(join('', @u), qr/MESSAGES 3\b/, 'COPY $ copied three');

# SAVE with MIN / MAX; with ALL or COUNT the whole result
($ok, @u) = Murder::MsgIMAP::cmd($c, 'SEARCH RETURN (SAVE MIN) FLAGGED');
like(join('', @u), qr/^\* ESEARCH \(TAG "\S+"\) MIN 2$/, 'SAVE MIN still answers MIN');
is(fetched('FETCH $ UID'), 'OK:2', 'SAVE MIN: $ is the minimum');
Murder::MsgIMAP::cmd($c, 'SEARCH RETURN (MAX SAVE MIN) FLAGGED');
is(fetched('FETCH $ UID'), 'OK:2,5', 'SAVE MIN MAX: both ends');
Murder::MsgIMAP::cmd($c, 'UID SEARCH RETURN (SAVE COUNT MIN) FLAGGED');
is(fetched('FETCH $ UID'), 'OK:2,3,5', 'SAVE with COUNT: all');

# a failing SEARCH that asked to SAVE empties $
($ok) = Murder::MsgIMAP::cmd($c, 'SEARCH RETURN (SAVE) NOSUCHKEY');
like($ok, qr/^\S+ BAD/, 'bad SEARCH ... SAVE: BAD');
is(fetched('FETCH $ UID'), 'OK:', 'then $ is empty');
Murder::MsgIMAP::cmd($c, 'SEARCH RETURN (SAVE) FLAGGED');
($ok) = Murder::MsgIMAP::cmd($c, 'SEARCH RETURN (SAVE) CHARSET X-NOSUCH SUBJECT x');
like($ok, qr/^\S+ NO \[BADCHARSET/, 'NO [BADCHARSET] with SAVE');
is(fetched('FETCH $ UID'), 'OK:', 'then $ is empty too');
# a failing SEARCH without SAVE leaves it
Murder::MsgIMAP::cmd($c, 'SEARCH RETURN (SAVE) FLAGGED');
Murder::MsgIMAP::cmd($c, 'SEARCH NOSUCHKEY');
is(fetched('FETCH $ UID'), 'OK:2,3,5', 'a BAD SEARCH without SAVE keeps $');

# expunged messages leave $; MOVE $
Murder::MsgIMAP::cmd($c, 'STORE 3 +FLAGS.SILENT (\Deleted)');
Murder::MsgIMAP::cmd($c, 'EXPUNGE');
is(fetched('FETCH $ UID'), 'OK:2,4', 'expunged message left $ (5 is now 4)');
like(scalar Murder::MsgIMAP::cmd($c, "MOVE \$ INBOX${S}dst"), qr/^\S+ OK/, 'MOVE $');
($ok, @u) = Murder::MsgIMAP::cmd($c, 'SEARCH ALL');
is_deeply([grep { /SEARCH/ } @u], ['* SEARCH 1 2 3'], 'MOVE $ moved the two');

# reset by SELECT, UNSELECT, CLOSE
for my $reset ('SELECT INBOX', 'UNSELECT', 'CLOSE') {
    Murder::MsgIMAP::cmd($c, 'SELECT INBOX') if $reset ne 'SELECT INBOX';
    Murder::MsgIMAP::cmd($c, 'SEARCH RETURN (SAVE) ALL');
    is(fetched('FETCH $ UID'), 'OK:1,2,3', "saved before $reset");
    Murder::MsgIMAP::cmd($c, $reset);
    Murder::MsgIMAP::cmd($c, 'SELECT INBOX') if $reset ne 'SELECT INBOX';
    is(fetched('FETCH $ UID'), 'OK:', "$reset resets \$");
}
# "$" is a set of its own: not part of a larger set
like(scalar Murder::MsgIMAP::cmd($c, 'FETCH 1,$ UID'), qr/^\S+ BAD/, '"1,$" is BAD');
$n->stop;
done_testing;
