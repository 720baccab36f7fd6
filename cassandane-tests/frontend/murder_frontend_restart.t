#!/usr/bin/perl
# murder_frontend_restart.t - a frontend is dataless: stopped while the
# murder changes (a mailbox created on a backend, one deleted) and
# started again, its mupdate slave resyncs from the master and proxyd
# serves the new state at once; the same after its mailboxes.db was
# deleted while it was down.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::Proxy;
use Murder::MsgIMAP;

skip_unless_built(qw(master imapd lmtpd proxyd mupdate ctl_mboxlist));
plan(skip_all => 'needs the real MUPDATE flow') unless Murder::Proxy::real_flow();

my $t = Murder::Proxy::murder();
my $s = Murder::Proxy::provision($t, alice => 0, bob => 1);
my $f = $t->frontend(0);
my ($b1, $b2) = ($t->backend(0), $t->backend(1));
Murder::Proxy::admin_cmd($b1, "CREATE user${s}alice${s}doomed");
Murder::Proxy::sync_frontend($t, 'user.alice.doomed');

# names - the names alice's LIST through the frontend gives, { name => 1 }
sub names {
    my ($c) = @_;
    my ($ok, @l) = $c->cmd('LIST "" "*"');
    return undef unless ($ok // '') =~ /^\S+ OK/;
    return { map { /"([^"]+)"$/ ? ($1 => 1) : () } @l };
}

# mine - does names() $n hold alice's folder $m (INBOX<sep>m, or m when
# the namespace shows personal folders beside INBOX)?
sub mine {
    my ($n, $m) = @_;
    return $n->{"INBOX$s$m"} || $n->{$m};
}

# down_and_up - stop the frontend, run $while (the murder changes and
# the frontend's files), start it again
sub down_and_up {
    my ($while) = @_;
    $f->stop;
    $while->();
    $f->start;
}

# round 1: a plain restart
down_and_up(sub {
    Murder::Proxy::admin_cmd($b1, "CREATE user${s}alice${s}whiledown");
    Murder::Proxy::admin_cmd($b2, "CREATE user${s}bob${s}b2new");
    Murder::Proxy::admin_cmd($b2, "SETACL user${s}bob${s}b2new alice lrs");
    Murder::Proxy::admin_cmd($b1, "DELETE user${s}alice${s}doomed");
});
my $c = Murder::MsgIMAP::client($f, 'alice');
my $seen = Murder::Util::wait_for(sub {
    my $n = names($c) or return 0;
    mine($n, 'whiledown') && !mine($n, 'doomed') ? $n : 0;
}, 5);
ok($seen, 'restarted: the mailbox created while it was down is listed, the deleted one is gone');
ok($seen && (grep { /bob\Q$s\Eb2new$/ } keys %$seen), "... and bob's new folder on backend2 shared with alice");
like(scalar $c->cmd("SELECT INBOX${s}whiledown"), qr/^\S+ OK/, 'SELECT the new mailbox through the restarted frontend');
like(scalar $c->cmd("SELECT INBOX${s}doomed"), qr/^\S+ NO/, 'the deleted one: NO');
like(scalar $c->cmd("CREATE INBOX${s}after"), qr/^\S+ OK/, 'CREATE through the restarted frontend');
like(scalar $c->cmd("SELECT INBOX${s}after"), qr/^\S+ OK/, '... and SELECT it');
$c->cmd('LOGOUT');
my %e = Murder::Proxy::frontend_entries($t);
ok(!exists $e{'user.alice.doomed'}, "the frontend's mailboxes.db dropped the deleted mailbox");

# round 2: the frontend's mailboxes.db lost while it was down
my $db = $f->imapd_option('configdirectory') . '/mailboxes.db';
ok(-e $db, "the frontend's mailboxes.db exists at $db");
down_and_up(sub {
    unlink($db) or diag("unlink $db: $!");
    Murder::Proxy::admin_cmd($b1, "CREATE user${s}alice${s}lostdb");
});
$c = Murder::MsgIMAP::client($f, 'alice');
$seen = Murder::Util::wait_for(sub {
    my $n = names($c) or return 0;
    mine($n, 'lostdb') && mine($n, 'whiledown') ? $n : 0;
}, 5);
ok($seen, 'database lost: the whole list comes back from the master');
ok($seen && $seen->{INBOX} && mine($seen, 'after'), '... every mailbox, old and new');
like(scalar $c->cmd("SELECT INBOX${s}lostdb"), qr/^\S+ OK/, 'SELECT the mailbox created while it was down');
like(Murder::MsgIMAP::append($c, 'INBOX', Murder::MsgIMAP::msg("Subject: x\n\ny\n")), qr/OK/,
     'APPEND works');
$c->cmd('LOGOUT');
my $b = Murder::MsgIMAP::client($f, 'bob');
like(scalar $b->cmd('SELECT INBOX'), qr/^\S+ OK/, "bob's INBOX on backend2 too");
$b->cmd('LOGOUT');
%e = Murder::Proxy::frontend_entries($t);
like($e{'user.bob.b2new'} // '', qr/alice/, 'the ACLs came back with the list');

# round 3: restarted while the master is down: it serves its last copy
$t->mupdate->stop;
down_and_up(sub { });
$c = Murder::MsgIMAP::client($f, 'alice');
my $n = names($c);
ok($n && mine($n, 'lostdb') && mine($n, 'whiledown'), 'master down at restart: the last copy is listed');
like(scalar $c->cmd("SELECT INBOX${s}lostdb"), qr/^\S+ OK/, '... and served');
like(scalar $c->cmd("CREATE INBOX${s}nomaster"), qr/^\S+ NO \[UNAVAILABLE\]/,
     '... while list writes wait for the master');
$t->mupdate->start;
ok(Murder::Util::wait_for(sub {
    (scalar $c->cmd("CREATE INBOX${s}nomaster") // '') =~ /^\S+ OK/ }, 10),
   'the master back: CREATE works');
ok(Murder::Util::wait_for(sub { mine(names($c) // {}, 'nomaster') }, 5),
   '... and the restarted frontend lists it');
$c->cmd('LOGOUT');
$t->stop;
done_testing;
