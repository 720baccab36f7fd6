#!/usr/bin/perl
# murder_two_frontends.t - two frontends over two backends show one
# server: a CREATE through frontend1 is in frontend2's LIST within about
# a second (the master's UPDATE stream) and SELECTable there at once (a
# SELECT miss makes the slave catch up); APPEND, STORE and EXPUNGE
# through one frontend reach a client of the other by NOOP and during
# IDLE; SETACL through one is honoured by the other; LMTP through
# frontend2 delivers to folders created through frontend1.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::Proxy;
use Murder::MsgIMAP;
use Murder::LMTP;
use Time::HiRes qw(time sleep);

skip_unless_built(qw(master imapd lmtpd proxyd lmtpproxyd mupdate ctl_mboxlist));
plan(skip_all => 'needs the real MUPDATE flow') unless Murder::Proxy::real_flow();

my $t = Murder::Proxy::murder(frontends => 2);
my $s = Murder::Proxy::provision($t, alice => 0, bob => 1);
my ($f1, $f2) = ($t->frontend(0), $t->frontend(1));
ok(Murder::Util::wait_for(sub { my %e = Murder::Proxy::frontend_entries($t, 1);
                                $e{'user.alice'} && $e{'user.bob'} }, 15),
   'frontend2 knows both users');

my $a1 = Murder::MsgIMAP::client($f1, 'alice');
my $a2 = Murder::MsgIMAP::client($f2, 'alice');

# listed - does LIST through $c show alice's folder $m (INBOX<sep>m, or
# m when the namespace shows personal folders beside INBOX)?
sub listed {
    my ($c, $m) = @_;
    my ($ok, @l) = $c->cmd('LIST "" "*"');
    return scalar grep { /"(?:INBOX\Q$s\E)?\Q$m\E"$/ } @l;
}

# CREATE on fe1 -> LIST on fe2 within about a second, no SELECT needed
like(scalar $a1->cmd("CREATE INBOX${s}one"), qr/^\S+ OK/, 'fe1: CREATE INBOX.one');
my $t0 = time;
my $seen = Murder::Util::wait_for(sub { listed($a2, 'one') }, 5);
my $dt = time - $t0;
ok($seen, 'fe2: LIST shows it');
cmp_ok($dt, '<', 1.5, sprintf('... within about a second (%.2f s)', $dt));

# CREATE on fe1 -> SELECT on fe2 at once
like(scalar $a1->cmd("CREATE INBOX${s}two"), qr/^\S+ OK/, 'fe1: CREATE INBOX.two');
like(scalar $a2->cmd("SELECT INBOX${s}two"), qr/^\S+ OK/, 'fe2: SELECT it at once');
ok(listed($a2, 'two'), 'fe2: and LIST shows it');
like(scalar $a1->cmd("DELETE INBOX${s}two"), qr/^\S+ OK/, 'fe1: DELETE it');
ok(Murder::Util::wait_for(sub { !listed($a2, 'two') }, 5), 'fe2: gone from its LIST');

# RENAME on fe1 -> fe2 SELECTs the new name at once, the old one is gone
like(scalar $a1->cmd("RENAME INBOX${s}one INBOX${s}uno"), qr/^\S+ OK/, 'fe1: RENAME one -> uno');
like(scalar $a2->cmd("SELECT INBOX${s}uno"), qr/^\S+ OK/, 'fe2: SELECT the new name at once');
ok(Murder::Util::wait_for(sub { !listed($a2, 'one') && listed($a2, 'uno') }, 5),
   'fe2: LIST shows the new name, not the old');
like(scalar $a2->cmd("SELECT INBOX${s}one"), qr/^\S+ NO/, 'fe2: the old name: NO');

# messages: fe2 has INBOX selected, fe1 changes it
like(scalar $a2->cmd('SELECT INBOX'), qr/^\S+ OK/, 'fe2: SELECT INBOX');
like(Murder::MsgIMAP::append($a1, 'INBOX', Murder::MsgIMAP::msg("Subject: m1\n\nx\n")),
     qr/OK/, 'fe1: APPEND');
my ($ok, @u) = $a2->cmd('NOOP');
ok((grep { /^\* 1 EXISTS$/ } @u), 'fe2: NOOP sees * 1 EXISTS');
like(scalar $a1->cmd('SELECT INBOX'), qr/^\S+ OK/, 'fe1: SELECT INBOX');
like(scalar $a1->cmd('STORE 1 +FLAGS (\Flagged)'), qr/^\S+ OK/, 'fe1: STORE \Flagged');
($ok, @u) = $a2->cmd('NOOP');
ok((grep { /^\* 1 FETCH \(.*FLAGS \([^)]*\\Flagged/ } @u), 'fe2: NOOP sees the flag');

# IDLE on fe2 sees an APPEND, then an EXPUNGE, made through fe1
my $tag = $a2->next_tag;
$a2->send("$tag IDLE\r\n");
like($a2->line(5) // '', qr/^\+ /, 'fe2: IDLE');
like(Murder::MsgIMAP::append($a1, 'INBOX', Murder::MsgIMAP::msg("Subject: m2\n\ny\n")),
     qr/OK/, 'fe1: APPEND a second message');
like($a2->line(5) // '', qr/^\* 2 EXISTS$/, 'fe2: the IDLE sees * 2 EXISTS');
like(scalar $a1->cmd('STORE 1 +FLAGS.SILENT (\Deleted)'), qr/^\S+ OK/, 'fe1: STORE \Deleted');
like(scalar $a1->cmd('EXPUNGE'), qr/^\S+ OK/, 'fe1: EXPUNGE');
my @idle;
Murder::Util::wait_for(sub {
    my $l = $a2->line(1);
    push @idle, $l if defined $l;
    grep { /^\* 1 EXPUNGE$/ } @idle;
}, 5);
ok((grep { /^\* 1 EXPUNGE$/ } @idle), 'fe2: the IDLE sees * 1 EXPUNGE');
$a2->send("DONE\r\n");
like(scalar $a2->until_tag($tag, 5) // '', qr/^\Q$tag\E OK/, 'fe2: DONE');
($ok, @u) = $a2->cmd('FETCH 1:* (FLAGS)');
is(scalar(grep { /^\* \d+ FETCH/ } @u), 1, 'fe2: one message left');

# SETACL through fe1 is honoured through fe2
like(scalar $a1->cmd("CREATE INBOX${s}lists"), qr/^\S+ OK/, 'fe1: CREATE INBOX.lists');
like(scalar $a1->cmd("SETACL INBOX${s}lists bob lrs"), qr/^\S+ OK/, 'fe1: SETACL for bob');
like(scalar $a1->cmd("SETACL INBOX${s}lists anyone p"), qr/^\S+ OK/, 'fe1: anyone may post');
my $b2 = Murder::MsgIMAP::client($f2, 'bob');
ok(Murder::Util::wait_for(sub {
    my ($ok, @l) = $b2->cmd('LIST "" "*"');
    grep { /alice\Q$s\Elists"$/ } @l;
}, 5), "fe2: bob sees alice's folder");

# a folder of bob's (backend2) created through fe1
my $b1 = Murder::MsgIMAP::client($f1, 'bob');
like(scalar $b1->cmd("CREATE INBOX${s}feeds"), qr/^\S+ OK/, 'fe1: bob CREATEs INBOX.feeds (backend2)');
like(scalar $b1->cmd("SETACL INBOX${s}feeds anyone p"), qr/^\S+ OK/, 'fe1: anyone may post');
$b1->cmd('LOGOUT');

# LMTP through fe2 to the folders made through fe1, at once
my $l = Murder::Proxy::lmtp($f2);
my $r = $l->deliver('sender@example.com', ['alice+lists@example.com', 'bob+feeds@example.com'],
                    Murder::LMTP::message(subject => 'via fe2'));
like($r->{rcpt}[0] // '', qr/^250 /, 'fe2 LMTP: alice+lists');
like($r->{rcpt}[1] // '', qr/^250 /, 'fe2 LMTP: bob+feeds');
is(scalar(grep { /^250 / } @{$r->{data}}), 2, 'fe2 LMTP: both delivered');
$l->cmd('QUIT');
my @m = Murder::Proxy::backend_messages($t->backend(0), 'alice', "INBOX${s}lists");
is(scalar @m, 1, "alice's lists folder on backend1 has the message");
@m = Murder::Proxy::backend_messages($t->backend(1), 'bob', "INBOX${s}feeds");
is(scalar @m, 1, "bob's feeds folder on backend2 has the message");
@m = Murder::Proxy::backend_messages($t->backend(1), 'bob', 'INBOX');
is(scalar @m, 0, "bob's INBOX got nothing");

# and the other way round: a CREATE through fe2 is SELECTable on fe1
like(scalar $a2->cmd("CREATE INBOX${s}back"), qr/^\S+ OK/, 'fe2: CREATE INBOX.back');
like(scalar $a1->cmd("SELECT INBOX${s}back"), qr/^\S+ OK/, 'fe1: SELECT it at once');
$_->cmd('LOGOUT') for $a1, $a2, $b2;
$t->stop;
done_testing;
