#!/usr/bin/perl
# master_cyrus36.t - the MUPDATE master takes what a Cyrus 3.6 backend
# sends, byte for byte as captured from Debian's imapd 3.6.1 (see
# bench/interop-cyrus-mupdate): CREATE is RESERVE + ACTIVATE with
# non-synchronising literals; RENAME is DELETE old, then RESERVE and
# ACTIVATE of the new name at "server!" (no partition: Cyrus has not
# chosen it yet), recorded at "server!default"; a delayed DELETE is the
# same rename into DELETED.*.  DEACTIVATE at "server!" matches the
# recorded "server!default".  Its ACLs carry Cyrus's 'n' right (write
# shared annotations), which is stored and passed on.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::MUPDATE;

skip_unless_built(qw(master mupdate));

my $n = Murder::MUPDATE::mupdate_node();
my $c = Murder::MUPDATE->connect($n, user => 'admin');

# raw - send one command as Cyrus 3.6 writes it; the tagged status
sub raw {
    my ($tag, $bytes) = @_;
    $c->send_raw($bytes);
    return $c->wait_tagged($tag)->{status};
}

# lit - a Cyrus non-synchronising literal
sub lit { my ($s) = @_; return '{' . length($s) . "+}\r\n$s" }

# where - "KIND location" of name on the master ('' when absent)
sub where {
    my $it = $c->cmd('FIND', $_[0])->{items}[0] // [];
    return join(' ', grep { defined } @$it[0, 2]);
}

my $acl = "alice\tlrswipkxtea\t";

# --- CREATE user.alice.Trash
is(raw('X0', 'X0 RESERVE ' . lit('user.alice.Trash') . ' ' . lit('be1!default') . "\r\n"),
   'OK', 'RESERVE in literals');
is(raw('X1', 'X1 ACTIVATE ' . lit('user.alice.Trash') . ' ' . lit('be1!default') . ' '
             . lit($acl) . "\r\n"), 'OK', 'ACTIVATE in literals');
is(where('user.alice.Trash'), 'MAILBOX be1!default', 'created');

# --- RENAME user.alice.Trash user.alice.Old
is(raw('X2', 'X2 DELETE ' . lit('user.alice.Trash') . "\r\n"), 'OK', 'RENAME: DELETE old');
is(raw('X3', 'X3 RESERVE ' . lit('user.alice.Old') . ' ' . lit('be1!') . "\r\n"), 'OK',
   'RENAME: RESERVE new at "be1!" (no partition)');
is(where('user.alice.Old'), 'RESERVE be1!default', '... recorded at be1!default');
is(raw('X4', 'X4 ACTIVATE ' . lit('user.alice.Old') . ' ' . lit('be1!') . ' ' . lit($acl)
             . "\r\n"), 'OK', 'RENAME: ACTIVATE new at "be1!"');
is(where('user.alice.Old'), 'MAILBOX be1!default', '... active at be1!default');
is(where('user.alice.Trash'), '', 'the old name is gone');

# --- a location without a server, or without '!', is still refused
is($c->cmd('RESERVE', 'user.x', '!')->{status}, 'NO', 'RESERVE at "!": NO');
is($c->cmd('RESERVE', 'user.x', 'be1')->{status}, 'NO', 'RESERVE at "be1": NO');
is(where('user.x'), '', '... nothing recorded');

# --- DEACTIVATE at "be1!" is the same place
is($c->cmd('DEACTIVATE', 'user.alice.Old', 'be2!')->{status}, 'NO',
   'DEACTIVATE at "be2!": NO (active elsewhere)');
is($c->cmd('DEACTIVATE', 'user.alice.Old', 'be1!')->{status}, 'OK', 'DEACTIVATE at "be1!": OK');
is(where('user.alice.Old'), 'RESERVE be1!default', '... reserved at be1!default');

# --- a subscriber and a restart see the recorded location
$n->stop;
$n->start;
$c = Murder::MUPDATE->connect($n, user => 'admin');
is(where('user.alice.Old'), 'RESERVE be1!default', 'after a restart: be1!default');

# --- Cyrus 3.6's default user ACL has 'n' (write shared annotations)
is(raw('X5', 'X5 ACTIVATE ' . lit('user.alice') . ' ' . lit('be1!default') . ' '
             . lit("alice\tlrswipkxtecdan\t") . "\r\n"), 'OK',
   'ACTIVATE with the ACL "alice lrswipkxtecdan"');
like($c->cmd('FIND', 'user.alice')->{items}[0][3] // '', qr/^alice\tlrswipkxte[cd]*an\t$/,
     '... stored with its n');
is($c->cmd('NOOP')->{status}, 'OK', 'the connection is still usable');

done_testing;
